import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';

/** The console's labels, zh-CN first; every visible label comes from here, so the switch changes all. */
export type Lang = 'zh-CN' | 'en';

const zh = {
  appName: '明德 · 教育数据平台',
  signIn: '登录',
  signOut: '退出登录',
  username: '用户名',
  password: '密码',
  signInTitle: '登录明德',
  signInHint: '使用教育局或学校分配的账号登录',
  signingIn: '正在登录…',
  sessionExpired: '登录已过期，请重新登录',
  language: 'English',
  languageName: '中文',
  home: '首页',
  loading: '加载中…',
  welcome: '欢迎，{name}',
  yourRoles: '您的角色',
  noRoles: '您目前没有任何角色，请联系管理员授权。',
  notFound: '页面不存在',
  backHome: '返回首页',
  errorTitle: '出错了',
  retry: '重试',
  navOverview: '区域概况',
  navOrg: '组织机构',
  navUsers: '用户与授权',
  navAudit: '审计日志',
  navSchool: '本校',
  navClass: '我的班级',
  navChildren: '我的孩子',
  navMe: '我的信息',
  navPurposes: '用途登记',
  navClients: '授权应用',
  navImports: '名册导入',
  childName: '姓名',
  school: '学校',
  className: '班级',
  relation: '关系',
  birthDate: '出生日期',
  noChildren: '暂无与您关联的学生',
  orgTree: '组织机构',
  schoolInfo: '学校信息',
  schoolCode: '学校标识码',
  schoolType: '办学类型',
  address: '地址',
  division: '行政区划',
  students: '在籍学生',
  classes: '班级',
  grade: '年级',
  search: '搜索姓名',
  exportXlsx: '导出 Excel',
  gender: '性别',
  idNumber: '身份证件号',
  studentNumber: '学籍号',
  status: '状态',
  phone: '电话',
  profile: '个人信息',
  enrolments: '学籍',
  guardians: '监护人',
  showSensitive: '查看完整信息',
  purpose: '用途',
  reason: '理由',
  reasonHint: '请说明为何需要查看（将记入审计，监护人可见）',
  confirm: '确定',
  cancel: '取消',
  pendingApproval: '已提交，待另一名管理员审批后方可查看',
  revealed: '以下信息仅供本次用途使用，已记入审计',
  noData: '暂无数据',
  myClass: '我的班级',
  total: '共 {n} 条',
  importTitle: '名册导入',
  importKind: '名册类型',
  kindStudents: '学生名册',
  kindStaff: '教职工名册',
  template: '下载模板（Excel）',
  chooseFile: '选择文件（.xlsx 或 .csv）并校验',
  checking: '正在校验…',
  applying: '正在写入…',
  checkedSummary: '共 {total} 行：有效 {valid} 行，有问题 {invalid} 行。确认前不会写入任何数据。',
  problems: '问题清单',
  row: '行',
  column: '列',
  problem: '问题',
  confirmImport: '确认导入有效行',
  cancelImport: '放弃本次导入',
  appliedSummary: '已写入：新增 {created}，更新 {updated}，未变 {unchanged}，跳过 {skipped}',
  cancelled: '已放弃，暂存数据已删除',
  importFailed: '导入失败：{message}',
  auditSearch: '查询',
  subjectId: '涉及人员 ID',
  actorId: '操作人 ID',
  actionPrefix: '操作（前缀）',
  dateRange: '日期范围',
  at: '时间',
  action: '操作',
  target: '对象',
  outcome: '结果',
  subjects: '涉及人数',
  loadMore: '加载更多',
  verifyChain: '校验审计链',
  chainOk: '审计链完整：共校验 {events} 条记录',
  chainBroken: '审计链在第 {seq} 条记录处断开（{reason}）',
  accessLog: '谁查看过',
  who: '谁',
  what: '做了什么',
  you: '您本人',
} as const;

export type MessageKey = keyof typeof zh;

const en: Record<MessageKey, string> = {
  appName: 'Mingde · Education Data Platform',
  signIn: 'Sign in',
  signOut: 'Sign out',
  username: 'Username',
  password: 'Password',
  signInTitle: 'Sign in to Mingde',
  signInHint: 'Use the account your bureau or school gave you',
  signingIn: 'Signing in…',
  sessionExpired: 'Your session has expired; please sign in again',
  language: '中文',
  languageName: 'English',
  home: 'Home',
  loading: 'Loading…',
  welcome: 'Welcome, {name}',
  yourRoles: 'Your roles',
  noRoles: 'You hold no role yet; ask an administrator for access.',
  notFound: 'No such page',
  backHome: 'Back to the home page',
  errorTitle: 'Something went wrong',
  retry: 'Try again',
  navOverview: 'District overview',
  navOrg: 'Organisations',
  navUsers: 'Users and grants',
  navAudit: 'Audit trail',
  navSchool: 'My school',
  navClass: 'My class',
  navChildren: 'My children',
  navMe: 'About me',
  navPurposes: 'Purposes',
  navClients: 'API clients',
  navImports: 'Roster imports',
  childName: 'Name',
  school: 'School',
  className: 'Class',
  relation: 'Relation',
  birthDate: 'Date of birth',
  noChildren: 'No student is linked to you yet',
  orgTree: 'Organisations',
  schoolInfo: 'School',
  schoolCode: 'School code',
  schoolType: 'Type',
  address: 'Address',
  division: 'Division',
  students: 'Students',
  classes: 'Classes',
  grade: 'Grade',
  search: 'Search by name',
  exportXlsx: 'Export to Excel',
  gender: 'Gender',
  idNumber: 'ID number',
  studentNumber: 'Student number',
  status: 'Status',
  phone: 'Phone',
  profile: 'Personal details',
  enrolments: 'Enrolments',
  guardians: 'Guardians',
  showSensitive: 'Show full details',
  purpose: 'Purpose',
  reason: 'Reason',
  reasonHint: 'Why you need to see it (audited; guardians can see it)',
  confirm: 'OK',
  cancel: 'Cancel',
  pendingApproval: 'Submitted: another administrator must approve it before you can see the data',
  revealed: 'For this purpose only; the viewing is audited',
  noData: 'No data',
  myClass: 'My class',
  total: '{n} in all',
  importTitle: 'Roster import',
  importKind: 'Roster',
  kindStudents: 'Students',
  kindStaff: 'Staff',
  template: 'Download the template (Excel)',
  chooseFile: 'Choose a file (.xlsx or .csv) to check',
  checking: 'Checking…',
  applying: 'Writing…',
  checkedSummary:
    '{total} rows: {valid} valid, {invalid} with problems. Nothing is written until you confirm.',
  problems: 'Problems',
  row: 'Row',
  column: 'Column',
  problem: 'Problem',
  confirmImport: 'Import the valid rows',
  cancelImport: 'Discard this import',
  appliedSummary: 'Written: {created} new, {updated} updated, {unchanged} unchanged, {skipped} skipped',
  cancelled: 'Discarded; the staged rows are deleted',
  importFailed: 'The import failed: {message}',
  auditSearch: 'Search',
  subjectId: 'Person id (whose data)',
  actorId: 'Actor id (who)',
  actionPrefix: 'Action (prefix)',
  dateRange: 'Dates',
  at: 'When',
  action: 'Action',
  target: 'Target',
  outcome: 'Outcome',
  subjects: 'Persons',
  loadMore: 'Load more',
  verifyChain: 'Verify the audit chain',
  chainOk: 'The audit chain is intact: {events} events checked',
  chainBroken: 'The audit chain breaks at event {seq} ({reason})',
  accessLog: 'Who viewed',
  who: 'Who',
  what: 'What',
  you: 'You',
};

const dictionaries: Record<Lang, Record<MessageKey, string>> = { 'zh-CN': zh, en };
const STORAGE_KEY = 'mingde.lang';

function initialLang(): Lang {
  const stored = localStorage.getItem(STORAGE_KEY);
  return stored === 'en' || stored === 'zh-CN' ? stored : 'zh-CN';
}

interface I18n {
  lang: Lang;
  setLang: (lang: Lang) => void;
  t: (key: MessageKey, params?: Record<string, string | number>) => string;
}

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const setLang = useCallback((next: Lang) => {
    localStorage.setItem(STORAGE_KEY, next);
    setLangState(next);
  }, []);
  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = dictionaries[lang].appName;
  }, [lang]);
  const t = useCallback(
    (key: MessageKey, params: Record<string, string | number> = {}) =>
      dictionaries[lang][key].replace(/\{(\w+)\}/g, (_, k: string) => String(params[k] ?? `{${k}}`)),
    [lang],
  );
  const value = useMemo(() => ({ lang, setLang, t }), [lang, setLang, t]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (!value) throw new Error('useI18n outside I18nProvider');
  return value;
}
