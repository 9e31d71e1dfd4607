import type { FlowIssueDto } from '@hotline/protocol/flows';
import { Badge, Box, Paper, ScrollArea, Tabs } from '@mantine/core';
import { ReactFlowProvider } from '@xyflow/react';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { FlowCanvas } from './flow-canvas';
import { nodeOfPath } from './flow-document';
import { toGraph } from './flow-graph';
import type { FlowDoc } from './flow-verbs';
import { IssuesList } from './issues-list';
import { JsonTab } from './json-tab';
import { PropertiesPanel } from './node-properties';
import { TestRunPanel } from './test-run-panel';
import type { Refs } from './verb-forms';
import { VerbPalette } from './verb-palette';

export type SidePanel = 'properties' | 'issues' | 'test';

interface WorkspaceProps {
  doc: FlowDoc;
  onChange: (doc: FlowDoc) => void;
  issues: FlowIssueDto[] | null;
  onIssues: (issues: FlowIssueDto[]) => void;
  panel: SidePanel;
  onPanel: (panel: SidePanel) => void;
  refs: Refs;
  readOnly: boolean;
}

/** Palette on the left, the graph (or the raw JSON) in the middle, properties / issues / test run on the right. */
export function FlowWorkspace(props: WorkspaceProps) {
  const { t } = useTranslation('flows');
  const [view, setView] = useState<'graph' | 'json'>('graph');
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [currentNode, setCurrentNode] = useState<string | null>(null);
  const drawable = useMemo(() => toGraph(props.doc).ok, [props.doc]);
  const issueNodes = useMemo(
    () =>
      new Set((props.issues ?? []).map((i) => nodeOfPath(i.path)).filter((id): id is string => id !== null)),
    [props.issues],
  );
  /** From the canvas a test run stays in view; from the palette or an issue the node's form opens. */
  const select = (id: string | null, show = false) => {
    setSelectedId(id);
    if (id && (show || props.panel !== 'test')) props.onPanel('properties');
  };

  return (
    <ReactFlowProvider>
      <Box style={{ display: 'flex', flex: 1, minHeight: 0, gap: 8 }}>
        <Paper withBorder w={188} style={{ flexShrink: 0, overflow: 'hidden' }}>
          <ScrollArea h="100%">
            <VerbPalette
              doc={props.doc}
              disabled={props.readOnly || view !== 'graph' || !drawable}
              onAdd={(doc, id) => {
                props.onChange(doc);
                select(id, true);
              }}
            />
          </ScrollArea>
        </Paper>

        <Paper
          withBorder
          style={{ flex: 1, minWidth: 0, display: 'flex', flexDirection: 'column', overflow: 'hidden' }}
        >
          <Tabs
            value={view}
            onChange={(v) => setView(v === 'json' ? 'json' : 'graph')}
            style={{ display: 'flex', flexDirection: 'column', flex: 1, minHeight: 0 }}
          >
            <Tabs.List>
              <Tabs.Tab value="graph" data-testid="tab-graph">
                {t('flowEditor.tabs.graph')}
              </Tabs.Tab>
              <Tabs.Tab value="json" data-testid="tab-json">
                {t('flowEditor.tabs.json')}
              </Tabs.Tab>
            </Tabs.List>
            <Box style={{ flex: 1, minHeight: 0 }}>
              {view === 'graph' ? (
                <FlowCanvas
                  doc={props.doc}
                  onChange={props.onChange}
                  selectedId={selectedId}
                  onSelect={select}
                  issueNodes={issueNodes}
                  currentNode={currentNode}
                  readOnly={props.readOnly}
                />
              ) : (
                <JsonTab doc={props.doc} onApply={props.onChange} readOnly={props.readOnly} />
              )}
            </Box>
          </Tabs>
        </Paper>

        <Paper
          withBorder
          w={360}
          style={{ flexShrink: 0, display: 'flex', flexDirection: 'column', overflow: 'hidden' }}
        >
          <Tabs
            value={props.panel}
            onChange={(v) => props.onPanel((v as SidePanel) ?? 'properties')}
            style={{ display: 'flex', flexDirection: 'column', flex: 1, minHeight: 0 }}
          >
            <Tabs.List grow>
              <Tabs.Tab value="properties" data-testid="panel-properties">
                {t('flowEditor.panel.properties')}
              </Tabs.Tab>
              <Tabs.Tab
                value="issues"
                data-testid="panel-issues"
                rightSection={
                  props.issues && props.issues.length > 0 ? (
                    <Badge size="xs" color="red" circle>
                      {props.issues.length}
                    </Badge>
                  ) : undefined
                }
              >
                {t('flowEditor.panel.issues')}
              </Tabs.Tab>
              <Tabs.Tab value="test" data-testid="panel-test" disabled={props.readOnly}>
                {t('flowEditor.panel.testRun')}
              </Tabs.Tab>
            </Tabs.List>
            <ScrollArea style={{ flex: 1 }} p="sm">
              {props.panel === 'properties' && (
                <PropertiesPanel
                  doc={props.doc}
                  onChange={props.onChange}
                  selectedId={selectedId}
                  onSelect={select}
                  refs={props.refs}
                  readOnly={props.readOnly}
                />
              )}
              {props.panel === 'issues' && (
                <IssuesList issues={props.issues} onSelectNode={(id) => select(id, true)} />
              )}
              {/* Kept mounted while hidden, so switching tabs does not lose the conversation. */}
              {!props.readOnly && (
                <Box display={props.panel === 'test' ? undefined : 'none'}>
                  <TestRunPanel doc={props.doc} onCurrentNode={setCurrentNode} onIssues={props.onIssues} />
                </Box>
              )}
            </ScrollArea>
          </Tabs>
        </Paper>
      </Box>
    </ReactFlowProvider>
  );
}
