import type { Lang } from './i18n';

/** Role names as users know them (the API's roles from GET /auth/me). */
const names: Record<string, [zh: string, en: string]> = {
  platformAdmin: ['平台管理员', 'Platform administrator'],
  cityBureauAdmin: ['市教育局管理员', 'City bureau administrator'],
  cityBureauAnalyst: ['市教育局数据分析员', 'City bureau analyst'],
  bureauAdmin: ['区县教育局管理员', 'District bureau administrator'],
  bureauAnalyst: ['区县教育局数据分析员', 'District bureau analyst'],
  inspector: ['督学', 'Inspector'],
  principal: ['校长', 'Principal'],
  schoolAdmin: ['学校管理员', 'School administrator'],
  headTeacher: ['班主任', 'Head teacher'],
  subjectTeacher: ['任课教师', 'Subject teacher'],
  schoolDoctor: ['校医', 'School doctor'],
  counsellor: ['心理教师', 'Counsellor'],
  staffMember: ['教职工', 'Staff member'],
  guardian: ['监护人', 'Guardian'],
  student: ['学生', 'Student'],
  learner: ['终身学习者', 'Learner'],
  apiClient: ['授权应用', 'API client'],
};

export const roleName = (role: string, lang: Lang) => names[role]?.[lang === 'en' ? 1 : 0] ?? role;
