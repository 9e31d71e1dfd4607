import { Badge, Stack, Text, UnstyledButton } from '@mantine/core';
import { useReactFlow } from '@xyflow/react';
import { useTranslation } from 'react-i18next';
import { VERB_DRAG_TYPE } from './flow-canvas';
import { addNode, pinLayout } from './flow-document';
import { type FlowDoc, type Verb, verbColor, verbs } from './flow-verbs';

/** The verbs of the flow language: click to add a node in the middle of the view, or drag one onto the canvas. */
export function VerbPalette(props: {
  doc: FlowDoc;
  onAdd: (doc: FlowDoc, id: string) => void;
  disabled: boolean;
}) {
  const { t } = useTranslation('flows');
  const { screenToFlowPosition, getNodes, setCenter, getZoom } = useReactFlow();
  const addAtCentre = (verb: Verb) => {
    const canvas = document.querySelector('[data-testid="flow-canvas"]')?.getBoundingClientRect();
    let spot = canvas
      ? screenToFlowPosition({
          x: canvas.left + canvas.width / 2 - 115,
          y: canvas.top + canvas.height / 2 - 40,
        })
      : { x: 0, y: 0 };
    // Step down until the new node covers no other one.
    const taken = getNodes().map((n) => n.position);
    for (
      let i = 0;
      i < 30 && taken.some((p) => Math.abs(p.x - spot.x) < 250 && Math.abs(p.y - spot.y) < 120);
      i += 1
    ) {
      spot = { x: spot.x, y: spot.y + 130 };
    }
    const centre = spot;
    const added = addNode(pinLayout(props.doc, getNodes()), verb, centre);
    props.onAdd(added.doc, added.id);
    void setCenter(centre.x + 115, centre.y + 40, { zoom: getZoom() });
  };
  return (
    <Stack gap={4} p="xs" data-testid="verb-palette">
      <Text size="xs" fw={700} c="dimmed" tt="uppercase">
        {t('flowEditor.palette.title')}
      </Text>
      <Text size="xs" c="dimmed" mb={4}>
        {t('flowEditor.palette.hint')}
      </Text>
      {verbs.map((verb) => (
        <UnstyledButton
          key={verb}
          disabled={props.disabled}
          draggable={!props.disabled}
          onDragStart={(event) => {
            event.dataTransfer.setData(VERB_DRAG_TYPE, verb);
            event.dataTransfer.effectAllowed = 'move';
          }}
          onClick={() => addAtCentre(verb)}
          data-testid={`palette-${verb}`}
          style={{ borderRadius: 6, opacity: props.disabled ? 0.5 : 1 }}
        >
          <Badge
            fullWidth
            size="lg"
            variant="light"
            color={verbColor[verb]}
            tt="none"
            styles={{ label: { fontWeight: 500 }, root: { justifyContent: 'flex-start', cursor: 'grab' } }}
          >
            {t(`flowEditor.verbs.${verb}`)}
          </Badge>
        </UnstyledButton>
      ))}
    </Stack>
  );
}
