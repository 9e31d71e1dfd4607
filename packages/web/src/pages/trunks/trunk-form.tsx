import { type Trunk, trunkTransports } from '@hotline/protocol/trunks';
import { Divider, PasswordInput, Select, SimpleGrid, Switch, TextInput } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { EntityFormProps } from '../../crud/entity-modal';
import { IntInput } from '../../crud/int-input';
import { NameField } from '../../crud/name-field';

export interface TrunkForm {
  name: string;
  enabled: boolean;
  /** Comma- or space-separated CIDR blocks. */
  allowedCidrs: string;
  inboundUsername: string;
  /** Blank: keep the stored one (passwords are write-only). */
  inboundPassword: string;
  proxy: string;
  transport: Trunk['transport'];
  outboundUsername: string;
  outboundPassword: string;
  register: boolean;
  registerExpiresSec: number;
  keepAliveSec: number;
  /** From the server, for the "set" placeholders. */
  hasInboundPassword: boolean;
  hasOutboundPassword: boolean;
}

export function TrunkFormFields({ value, onChange }: EntityFormProps<TrunkForm>) {
  const { t } = useTranslation();
  const kept = (has: boolean) => (has ? t('trunks.passwordKept') : undefined);
  return (
    <>
      <NameField value={value.name} onChange={(name) => onChange({ name })} autoFocus />
      <Switch
        label={t('trunks.enabled')}
        checked={value.enabled}
        onChange={(e) => onChange({ enabled: e.currentTarget.checked })}
        data-testid="field-enabled"
      />
      <Divider label={t('trunks.inbound')} labelPosition="left" />
      <TextInput
        label={t('trunks.allowedCidrs')}
        description={t('trunks.allowedCidrsHint')}
        value={value.allowedCidrs}
        onChange={(e) => onChange({ allowedCidrs: e.currentTarget.value })}
        data-testid="field-allowed-cidrs"
      />
      <SimpleGrid cols={2}>
        <TextInput
          label={t('trunks.inboundUsername')}
          description={t('trunks.inboundUsernameHint')}
          value={value.inboundUsername}
          onChange={(e) => onChange({ inboundUsername: e.currentTarget.value })}
          data-testid="field-inbound-username"
        />
        <PasswordInput
          label={t('trunks.inboundPassword')}
          placeholder={kept(value.hasInboundPassword)}
          value={value.inboundPassword}
          onChange={(e) => onChange({ inboundPassword: e.currentTarget.value })}
          data-testid="field-inbound-password"
        />
      </SimpleGrid>
      <Divider label={t('trunks.outbound')} labelPosition="left" />
      <SimpleGrid cols={2}>
        <TextInput
          label={t('trunks.proxy')}
          description={t('trunks.proxyHint')}
          value={value.proxy}
          onChange={(e) => onChange({ proxy: e.currentTarget.value })}
          data-testid="field-proxy"
        />
        <Select
          label={t('trunks.transport')}
          allowDeselect={false}
          data={trunkTransports.map((tr) => ({ value: tr, label: t(`trunks.transports.${tr}`) }))}
          value={value.transport}
          onChange={(tr) => tr && onChange({ transport: tr as Trunk['transport'] })}
          data-testid="field-transport"
        />
        <TextInput
          label={t('trunks.outboundUsername')}
          value={value.outboundUsername}
          onChange={(e) => onChange({ outboundUsername: e.currentTarget.value })}
          data-testid="field-outbound-username"
        />
        <PasswordInput
          label={t('trunks.outboundPassword')}
          placeholder={kept(value.hasOutboundPassword)}
          value={value.outboundPassword}
          onChange={(e) => onChange({ outboundPassword: e.currentTarget.value })}
          data-testid="field-outbound-password"
        />
      </SimpleGrid>
      <Switch
        label={t('trunks.register')}
        checked={value.register}
        onChange={(e) => onChange({ register: e.currentTarget.checked })}
        data-testid="field-register"
      />
      <SimpleGrid cols={2}>
        <IntInput
          label={t('trunks.registerExpiresSec')}
          min={60}
          max={86_400}
          value={value.registerExpiresSec}
          onChange={(registerExpiresSec) => onChange({ registerExpiresSec })}
          data-testid="field-register-expires"
        />
        <IntInput
          label={t('trunks.keepAliveSec')}
          description={t('trunks.keepAliveHint')}
          min={0}
          max={3_600}
          value={value.keepAliveSec}
          onChange={(keepAliveSec) => onChange({ keepAliveSec })}
          data-testid="field-keep-alive"
        />
      </SimpleGrid>
    </>
  );
}
