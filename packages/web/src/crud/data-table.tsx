import type { Page } from '@hotline/protocol/common';
import { Center, Group, Loader, Pagination, Table, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from './error-alert';
import { PAGE_SIZE } from './use-paged-list';

export interface Column<T> {
  key: string;
  header: string;
  render: (item: T) => ReactNode;
  width?: number | string;
}

interface DataTableProps<T extends { id: string }> {
  testId: string;
  columns: Column<T>[];
  data: Page<T> | undefined;
  error: unknown;
  page: number;
  onPage: (page: number) => void;
  /** Buttons at the end of each row; omitted for read-only views. */
  actions?: (item: T) => ReactNode;
  /** Content under a row (e.g. expanded details), spanning the whole table. */
  expanded?: (item: T) => ReactNode;
}

/** A server-paginated table with loading, error and empty states. */
export function DataTable<T extends { id: string }>(props: DataTableProps<T>) {
  const { t } = useTranslation();
  const { columns, data, actions } = props;
  const span = columns.length + (actions ? 1 : 0);
  if (props.error && !data) return <ErrorAlert error={props.error} />;
  if (!data) {
    return (
      <Center py="xl">
        <Loader />
      </Center>
    );
  }
  const pages = Math.max(1, Math.ceil(data.total / PAGE_SIZE));
  const from = data.total === 0 ? 0 : data.offset + 1;
  const to = data.offset + data.items.length;
  return (
    <>
      <Table.ScrollContainer minWidth={600}>
        <Table striped highlightOnHover verticalSpacing="xs" data-testid={`${props.testId}-table`}>
          <Table.Thead>
            <Table.Tr>
              {columns.map((column) => (
                <Table.Th key={column.key} w={column.width}>
                  {column.header}
                </Table.Th>
              ))}
              {actions && <Table.Th w={1} />}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {data.items.length === 0 && (
              <Table.Tr>
                <Table.Td colSpan={span}>
                  <Text c="dimmed" ta="center" py="md">
                    {t('table.empty')}
                  </Text>
                </Table.Td>
              </Table.Tr>
            )}
            {data.items.map((item) => (
              <TableRow key={item.id} item={item} span={span} {...props} />
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Group justify="space-between" mt="md">
        <Text size="sm" c="dimmed" data-testid={`${props.testId}-count`}>
          {data.total > 0 && t('table.range', { from, to, total: data.total })}
        </Text>
        <Pagination total={pages} value={props.page} onChange={props.onPage} size="sm" hideWithOnePage />
      </Group>
    </>
  );
}

function TableRow<T extends { id: string }>(props: DataTableProps<T> & { item: T; span: number }) {
  const { item, columns, actions, expanded } = props;
  const extra = expanded?.(item);
  return (
    <>
      <Table.Tr data-testid={`${props.testId}-row`}>
        {columns.map((column) => (
          <Table.Td key={column.key}>{column.render(item)}</Table.Td>
        ))}
        {actions && (
          <Table.Td>
            <Group gap="xs" wrap="nowrap" justify="flex-end">
              {actions(item)}
            </Group>
          </Table.Td>
        )}
      </Table.Tr>
      {extra && (
        <Table.Tr>
          <Table.Td colSpan={props.span}>{extra}</Table.Td>
        </Table.Tr>
      )}
    </>
  );
}
