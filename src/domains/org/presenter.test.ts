import { describe, expect, it } from 'vitest';
import { presentAcademicYear, presentOrgUnit, presentOrgUnitDetail } from './presenter';
import type { OrgUnitRow } from './repository';

const at = new Date('2026-09-01T00:00:00Z');
const unit = (over: Partial<OrgUnitRow>): OrgUnitRow => ({
  districtId: 'd',
  id: 'c',
  parentId: 'g',
  path: '/r/s/k/g/c/',
  kind: 'class',
  name: '一年级1班',
  nameEn: null,
  schoolCode: null,
  schoolType: null,
  operatingTypeCode: null,
  divisionCode: null,
  gradeCode: '11',
  classNumber: 1,
  academicYearId: 'y',
  address: null,
  status: 'active',
  closedAt: null,
  closedReason: null,
  version: 1,
  createdAt: at,
  updatedAt: at,
  ...over,
});

describe('presentOrgUnit', () => {
  it('names the codes and hides the parent id outside the scope', () => {
    const school = unit({
      id: 's',
      parentId: 'r',
      path: '/r/s/',
      kind: 'school',
      schoolType: 'junior',
      operatingTypeCode: '311',
      divisionCode: '110101',
      gradeCode: null,
      classNumber: null,
      academicYearId: null,
    });
    const insideSchool = (_d: string, path: string) => path.startsWith('/r/s/');
    expect(presentOrgUnit(school, insideSchool)).toMatchObject({
      parentId: null,
      schoolTypeName: { 'zh-CN': '初级中学', en: 'Junior Secondary School' },
      operatingTypeName: '初级中学',
      divisionName: '北京市 东城区',
      createdAt: '2026-09-01T00:00:00.000Z',
    });
    expect(presentOrgUnit(unit({}), insideSchool)).toMatchObject({
      parentId: 'g',
      gradeName: { 'zh-CN': '一年级', en: 'Grade 1' },
    });
  });

  it('lists ancestors root first, with ids only where visible', () => {
    const rows = [
      unit({ id: 'r', parentId: null, path: '/r/', kind: 'districtBureau', name: '区教委' }),
      unit({ id: 's', parentId: 'r', path: '/r/s/', kind: 'school', name: '一小' }),
      unit({ id: 'k', parentId: 's', path: '/r/s/k/', kind: 'campus', name: '本部' }),
      unit({ id: 'g', parentId: 'k', path: '/r/s/k/g/', kind: 'grade', name: '一年级' }),
    ];
    const detail = presentOrgUnitDetail(unit({}), rows.reverse(), { active: 0, closed: 2 }, (_d, p) =>
      p.startsWith('/r/s/'),
    );
    expect(detail.ancestors).toEqual([
      { id: null, kind: 'districtBureau', name: '区教委' },
      { id: 's', kind: 'school', name: '一小' },
      { id: 'k', kind: 'campus', name: '本部' },
      { id: 'g', kind: 'grade', name: '一年级' },
    ]);
    expect(detail.childCounts).toEqual({ active: 0, closed: 2 });
  });
});

describe('presentAcademicYear', () => {
  const year = {
    districtId: 'd',
    id: 'y',
    name: '2026-2027',
    startsOn: '2026-09-01',
    endsOn: '2027-08-31',
    createdAt: at,
  };
  const terms = [
    {
      districtId: 'd',
      id: 't2',
      academicYearId: 'y',
      seq: 2,
      name: '第二学期',
      startsOn: '2027-02-20',
      endsOn: '2027-07-10',
      createdAt: at,
    },
    {
      districtId: 'd',
      id: 't1',
      academicYearId: 'y',
      seq: 1,
      name: '第一学期',
      startsOn: '2026-09-01',
      endsOn: '2027-01-31',
      createdAt: at,
    },
  ];
  const current = (today: string) => {
    const v = presentAcademicYear(year, terms, today);
    return [v.current, ...v.terms.map((t) => `${t.seq}:${t.current}`)];
  };

  it('marks the year and the term that contain today, inclusive of both ends', () => {
    expect(current('2026-09-01')).toEqual([true, '1:true', '2:false']);
    expect(current('2027-02-10')).toEqual([true, '1:false', '2:false']);
    expect(current('2027-07-10')).toEqual([true, '1:false', '2:true']);
    expect(current('2027-09-01')).toEqual([false, '1:false', '2:false']);
  });
});
