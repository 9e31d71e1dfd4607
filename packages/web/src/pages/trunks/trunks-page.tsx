import type { CreateTrunkBody, Trunk, UpdateTrunkBody } from '@hotline/protocol/trunks';
import { Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { usePermissions } from '../../auth/use-permissions';
import { CrudPage } from '../../crud/crud-page';
import { type TrunkForm, TrunkFormFields } from './trunk-form';
import { TrunkStatusBadge } from './trunk-status-badge';
import { trunks } from './trunks-api';

const emptyForm = (): TrunkForm => ({
  name: '',
  enabled: true,
  allowedCidrs: '',
  inboundUsername: '',
  inboundPassword: '',
  proxy: '',
  transport: 'auto',
  outboundUsername: '',
  outboundPassword: '',
  register: false,
  registerExpiresSec: 3600,
  keepAliveSec: 30,
  hasInboundPassword: false,
  hasOutboundPassword: false,
});

const toForm = (trunk: Trunk): TrunkForm => ({
  name: trunk.name,
  enabled: trunk.enabled,
  allowedCidrs: trunk.allowedCidrs.join(', '),
  inboundUsername: trunk.inboundUsername ?? '',
  inboundPassword: '',
  proxy: trunk.proxy ?? '',
  transport: trunk.transport,
  outboundUsername: trunk.outboundUsername ?? '',
  outboundPassword: '',
  register: trunk.register,
  registerExpiresSec: trunk.registerExpiresSec,
  keepAliveSec: trunk.keepAliveSec,
  hasInboundPassword: trunk.hasInboundPassword,
  hasOutboundPassword: trunk.hasOutboundPassword,
});

const orNull = (s: string) => (s.trim() === '' ? null : s.trim());
const cidrs = (s: string) => s.split(/[\s,]+/).filter((c) => c !== '');

function common(form: TrunkForm) {
  return {
    name: form.name.trim(),
    enabled: form.enabled,
    allowedCidrs: cidrs(form.allowedCidrs),
    proxy: orNull(form.proxy),
    transport: form.transport,
    outboundUsername: orNull(form.outboundUsername),
    register: form.register,
    registerExpiresSec: form.registerExpiresSec,
    keepAliveSec: form.keepAliveSec,
  };
}

const toCreateBody = (form: TrunkForm): CreateTrunkBody => ({
  ...common(form),
  inboundUsername: orNull(form.inboundUsername),
  ...(form.inboundPassword === '' ? {} : { inboundPassword: form.inboundPassword }),
  outboundPassword: form.outboundPassword === '' ? null : form.outboundPassword,
});

/** Blank passwords keep the stored ones; inbound digest changes only with its password (HA1). */
const toUpdateBody = (form: TrunkForm): UpdateTrunkBody => {
  const inboundUsername = orNull(form.inboundUsername);
  return {
    ...common(form),
    ...(inboundUsername === null
      ? { inboundUsername: null }
      : form.inboundPassword === ''
        ? {}
        : { inboundUsername, inboundPassword: form.inboundPassword }),
    ...(form.outboundPassword === '' ? {} : { outboundPassword: form.outboundPassword }),
  };
};

export function TrunksPage() {
  const { t } = useTranslation();
  const { editConfig } = usePermissions();
  return (
    <CrudPage
      api={trunks}
      testId="trunks"
      title={t('trunks.title')}
      createLabel={t('trunks.create')}
      editLabel={t('trunks.edit')}
      editable={editConfig}
      modalSize="lg"
      columns={[
        { key: 'name', header: t('fields.name'), render: (trunk: Trunk) => trunk.name },
        {
          key: 'status',
          header: t('trunks.status'),
          render: (trunk: Trunk) => <TrunkStatusBadge status={trunk.status} />,
        },
        {
          key: 'inbound',
          header: t('trunks.inbound'),
          render: (trunk: Trunk) =>
            [trunk.allowedCidrs.join(', '), trunk.inboundUsername ? `${trunk.inboundUsername} (digest)` : '']
              .filter((s) => s !== '')
              .join(' · ') || (
              <Text size="sm" c="dimmed">
                {t('trunks.noInbound')}
              </Text>
            ),
        },
        {
          key: 'outbound',
          header: t('trunks.outbound'),
          render: (trunk: Trunk) =>
            trunk.proxy ?? (
              <Text size="sm" c="dimmed">
                {t('trunks.noOutbound')}
              </Text>
            ),
        },
      ]}
      Form={TrunkFormFields}
      emptyForm={emptyForm}
      toForm={toForm}
      toCreateBody={toCreateBody}
      toUpdateBody={toUpdateBody}
      describe={(trunk) => trunk.name}
    />
  );
}
