import { api } from './api';

export interface AcademicYear {
  id: string;
  name: string;
  current: boolean;
}

export const academicYearsOf = (districtId: string) =>
  api.get<AcademicYear[]>(`/academic-years?districtId=${districtId}`);

/** Select options for a district's years, the current one marked ("当前" / "current"). */
export const yearOptions = (years: AcademicYear[], current: string) =>
  years.map((y) => ({ value: y.id, label: y.current ? `${y.name}（${current}）` : y.name }));
