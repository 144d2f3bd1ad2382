import { Card, Col, Row, Spin, Tree } from 'antd';
import type { DataNode } from 'antd/es/tree';
import { type Key, useState } from 'react';
import { Link } from 'react-router';
import { api } from '../api';
import { LoadError } from '../components/LoadError';
import { useI18n } from '../i18n';
import { useApi } from '../useApi';
import { UnitPanel } from './UnitPanel';

export interface OrgUnit {
  id: string;
  parentId: string | null;
  kind: 'districtBureau' | 'school' | 'campus' | 'grade' | 'class';
  name: string;
  nameEn: string | null;
  schoolCode: string | null;
  schoolTypeName: { 'zh-CN': string; en: string } | null;
  address: string | null;
  divisionName: string | null;
  gradeName: { 'zh-CN': string; en: string } | null;
  academicYearId: string | null;
  status: 'active' | 'closed';
}

export interface Page<T> {
  items: T[];
  total: number;
}

export const unitPath = (u: Pick<OrgUnit, 'id' | 'kind'>) =>
  u.kind === 'school' ? `/schools/${u.id}` : u.kind === 'class' ? `/classes/${u.id}` : null;

export const childrenOf = async (id: string) =>
  (await api.get<Page<OrgUnit>>(`/org-units/${id}/children?pageSize=200`)).items;

/**
 * A unit in the tree: its name selects it (the panel beside shows what can be done to it); schools
 * and classes carry a link that opens their page.
 */
function toNode(u: OrgUnit, lang: string, open: string): DataNode {
  const path = unitPath(u);
  const name = lang === 'en' && u.nameEn ? u.nameEn : u.name;
  const title = path ? (
    <span>
      {name}{' '}
      <Link to={path} aria-label={`${open} ${name}`} onClick={(e) => e.stopPropagation()}>
        {open}
      </Link>
    </span>
  ) : (
    name
  );
  return { key: u.id, title, isLeaf: u.kind === 'class' };
}

/** The organisation tree from the top units the caller may read, opened level by level. */
export function OrgPage() {
  const { t, lang } = useI18n();
  const roots = useApi(async () => {
    const page = await api.get<Page<OrgUnit>>('/org-units?pageSize=50');
    return page.items.filter((u) => u.parentId === null);
  }, []);
  const [loaded, setLoaded] = useState<Record<string, OrgUnit[]>>({});
  const [selected, setSelected] = useState<string | null>(null);
  const [expanded, setExpanded] = useState<Key[]>([]);

  if (roots.error) return <LoadError error={roots.error} onRetry={roots.reload} />;
  if (!roots.data) return <Spin />;
  // Units are kept as the API gave them and drawn on every render, so the language switch redraws them.
  const attach = (units: OrgUnit[]): DataNode[] =>
    units.map((u) => {
      const node = toNode(u, lang, t('open'));
      const children = loaded[u.id];
      return children ? { ...node, children: attach(children) } : node;
    });
  const reloadChildren = async (id: string) => {
    const children = await childrenOf(id);
    setLoaded((prev) => ({ ...prev, [id]: children }));
  };
  return (
    <Row gutter={[16, 16]}>
      <Col xs={24} lg={14}>
        <Card title={t('orgTree')}>
          <Tree
            treeData={attach(roots.data)}
            loadData={(node) => reloadChildren(String(node.key))}
            expandedKeys={expanded}
            onExpand={setExpanded}
            onSelect={(keys) => setSelected(keys[0] ? String(keys[0]) : null)}
          />
        </Card>
      </Col>
      <Col xs={24} lg={10}>
        {selected ? (
          <UnitPanel
            unitId={selected}
            onChanged={() => {
              // Show the change: reload the unit's children and open it.
              void reloadChildren(selected);
              setExpanded((prev) => (prev.includes(selected) ? prev : [...prev, selected]));
            }}
          />
        ) : (
          <Card title={t('unitDetails')}>{t('chooseUnitHint')}</Card>
        )}
      </Col>
    </Row>
  );
}
