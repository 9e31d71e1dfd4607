import { type ErrorCode, errorStatus } from '@hotline/protocol/errors';
import { Alert, List, Text } from '@mantine/core';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/http';

type ClientCode = 'NETWORK' | 'BAD_RESPONSE' | 'UNKNOWN';

function isKnownCode(code: string): code is ErrorCode | ClientCode {
  return code in errorStatus || code === 'NETWORK' || code === 'BAD_RESPONSE';
}

/** A translated headline for an error, chosen by its stable code, never by the server's English message. */
export function errorTitle(t: TFunction, error: unknown): string {
  const code = error instanceof ApiError && isKnownCode(error.code) ? error.code : 'UNKNOWN';
  return t(`errors.${code}`);
}

interface Issue {
  path?: unknown;
  message?: unknown;
}

/**
 * Validation details as "field: problem" lines when the server sent a list of issues (`path` as an array
 * or a JSON pointer). The message already names the first one, so the list is shown only for several.
 */
function issueLines(details: unknown): string[] {
  const issues = Array.isArray(details)
    ? details
    : Array.isArray((details as { issues?: unknown })?.issues)
      ? (details as { issues: unknown[] }).issues
      : [];
  return issues
    .filter((issue): issue is Issue => typeof issue === 'object' && issue !== null && 'message' in issue)
    .map((issue) => {
      const path = Array.isArray(issue.path)
        ? issue.path.join('.')
        : typeof issue.path === 'string'
          ? issue.path.replace(/^\//, '').replaceAll('/', '.')
          : '';
      return path ? `${path}: ${String(issue.message)}` : String(issue.message);
    });
}

export function ErrorAlert({ error }: { error: unknown }) {
  const { t } = useTranslation();
  if (!error) return null;
  const detail = error instanceof Error ? error.message : String(error);
  const lines = error instanceof ApiError ? issueLines(error.details) : [];
  return (
    <Alert color="red" variant="light" title={errorTitle(t, error)} data-testid="error-alert">
      {detail && (
        <Text size="sm" c="dimmed">
          {detail}
        </Text>
      )}
      {lines.length > 1 && (
        <List size="sm" mt="xs">
          {lines.map((line) => (
            <List.Item key={line}>{line}</List.Item>
          ))}
        </List>
      )}
    </Alert>
  );
}
