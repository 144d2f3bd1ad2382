/**
 * Every user-facing message, by stable code, in zh-CN and English. Problem responses carry the
 * code, so a client may translate it itself; `{name}` placeholders are filled from params.
 */
export const messages = {
  'request.invalid': { 'zh-CN': '请求参数有误', en: 'The request is invalid' },
  'request.not_found': { 'zh-CN': '请求的地址不存在', en: 'No such route' },
  'request.rate_limited': { 'zh-CN': '请求过于频繁，请稍后再试', en: 'Too many requests; try again later' },
  'request.too_large': { 'zh-CN': '请求内容过大', en: 'The request body is too large' },
  'request.unsupported_media_type': { 'zh-CN': '不支持的内容类型', en: 'Unsupported content type' },
  'server.error': {
    'zh-CN': '服务器内部错误，请联系管理员',
    en: 'Internal server error; contact the administrator',
  },
  'server.unavailable': { 'zh-CN': '服务暂不可用', en: 'Service unavailable' },
  'auth.required': { 'zh-CN': '请先登录', en: 'Sign-in required' },
  'auth.invalid_credentials': { 'zh-CN': '用户名或密码错误', en: 'Wrong username or password' },
  'auth.account_locked': {
    'zh-CN': '登录失败次数过多，账号已锁定，请于 {minutes} 分钟后再试',
    en: 'Too many failed sign-ins; the account is locked for {minutes} minutes',
  },
  'auth.account_disabled': { 'zh-CN': '账号已停用', en: 'The account is disabled' },
  'auth.csrf_invalid': {
    'zh-CN': 'CSRF 校验失败，请刷新页面后重试',
    en: 'CSRF check failed; reload the page and try again',
  },
  'auth.wrong_password': { 'zh-CN': '当前密码不正确', en: 'The current password is wrong' },
  'auth.weak_password': {
    'zh-CN': '密码至少 10 位，须包含字母和数字，且不能是常见密码',
    en: 'The password needs at least 10 characters with letters and digits, and must not be a common one',
  },
  'auth.password_reused': {
    'zh-CN': '新密码不能与当前密码相同',
    en: 'The new password must differ from the current one',
  },
  'access.forbidden': { 'zh-CN': '您的角色无权执行此操作', en: 'Your role may not do this' },
  'resource.not_found': { 'zh-CN': '{resource}不存在', en: '{resource} not found' },
  'org.invalid_parent': {
    'zh-CN': '{kind}不能建在{parentKind}之下',
    en: 'A {kind} cannot be placed under a {parentKind}',
  },
  'org.closed_parent': { 'zh-CN': '上级组织已撤销', en: 'The parent organisation is closed' },
  'org.move_into_own_subtree': {
    'zh-CN': '不能移动到自身或其下级之下',
    en: 'An organisation cannot move under itself or its descendants',
  },
  'org.has_active_children': {
    'zh-CN': '该组织下仍有未撤销的下级组织（{count} 个），请先处理',
    en: 'The organisation still has {count} active sub-units; close or move them first',
  },
  'org.already_closed': { 'zh-CN': '该组织已撤销', en: 'The organisation is already closed' },
  'org.not_closed': { 'zh-CN': '该组织未撤销', en: 'The organisation is not closed' },
  'org.school_code_taken': {
    'zh-CN': '学校标识码 {schoolCode} 已被使用',
    en: 'School code {schoolCode} is already in use',
  },
  'org.root_immutable': {
    'zh-CN': '区县教育局节点不能移动或撤销',
    en: 'The district bureau node cannot be moved or closed',
  },
  'org.version_conflict': {
    'zh-CN': '该组织已被他人修改，请刷新后重试',
    en: 'Someone else changed this organisation; reload and try again',
  },
  'org.grade_not_for_school_type': {
    'zh-CN': '年级代码 {gradeCode} 不适用于{schoolType}',
    en: 'Grade code {gradeCode} does not fit a {schoolType}',
  },
  'org.grouping_member_exists': {
    'zh-CN': '该学校已在此分组中',
    en: 'The school is already in this grouping',
  },
  'academicYear.name_taken': { 'zh-CN': '学年 {name} 已存在', en: 'Academic year {name} already exists' },
  'academicYear.terms_outside_year': {
    'zh-CN': '学期日期须在学年范围内且不重叠',
    en: 'Terms must lie within the academic year and must not overlap',
  },
  'district.division_code_taken': {
    'zh-CN': '行政区划代码 {divisionCode} 已有区县',
    en: 'A district with division code {divisionCode} already exists',
  },
  'user.username_taken': {
    'zh-CN': '用户名 {username} 已被使用',
    en: 'Username {username} is already taken',
  },
  'grant.role_not_for_unit': {
    'zh-CN': '角色“{role}”不能授予在{kind}上',
    en: 'The role {role} cannot be granted on a {kind}',
  },
  'grant.beyond_own_rights': {
    'zh-CN': '不能授予超出自身权限的角色',
    en: 'You cannot grant a role beyond your own rights',
  },
  'grant.already_revoked': { 'zh-CN': '该授权已撤销', en: 'The grant is already revoked' },
  'grant.expiry_in_past': { 'zh-CN': '到期日期须晚于当前时间', en: 'The expiry date must be in the future' },
  'auth.origin_mismatch': {
    'zh-CN': '登录请求来自其他网站，已拒绝',
    en: 'The sign-in request came from another site and was refused',
  },
  'auth.password_change_required': {
    'zh-CN': '请先修改初始密码',
    en: 'Change your one-time password first',
  },
  'auth.password_contains_username': {
    'zh-CN': '密码不能包含用户名',
    en: 'The password must not contain the username',
  },
  'user.cannot_disable_self': { 'zh-CN': '不能停用自己的账号', en: 'You cannot disable your own account' },
  'user.grant_outside_home_district': {
    'zh-CN': '初始授权的组织须在该用户所属区县内',
    en: "The initial grant must be on an organisation of the user's home district",
  },
  'grant.duplicate': {
    'zh-CN': '该用户已在此组织拥有该角色',
    en: 'The user already holds this role on this organisation',
  },
  'grant.unit_closed': {
    'zh-CN': '不能在已撤销的组织上授权',
    en: 'A role cannot be granted on a closed organisation',
  },
  // org domain
  'org.school_type_unknown': {
    'zh-CN': '未知的学校类别 {schoolType}',
    en: 'Unknown school category {schoolType}',
  },
  'org.operating_type_not_for_school_type': {
    'zh-CN': '办学类型代码 {operatingTypeCode} 不适用于{schoolType}（可用：{allowed}）',
    en: 'Operating type code {operatingTypeCode} does not fit a {schoolType} (allowed: {allowed})',
  },
  'org.school_code_invalid': {
    'zh-CN': '学校标识码 {schoolCode} 无效：须为 10 位数字，前两位为学校类别码，第三、四位为省级行政区划代码',
    en: 'School code {schoolCode} is invalid: 10 digits, a school category code, then a province code',
  },
  'org.school_code_wrong_province': {
    'zh-CN': '学校标识码 {schoolCode} 的省级代码与本区县所在的{province}不符',
    en: 'School code {schoolCode} names another province than {province}, where the district lies',
  },
  'org.division_invalid': {
    'zh-CN': '行政区划代码 {divisionCode} 不存在',
    en: 'Division code {divisionCode} does not exist',
  },
  'org.division_outside_district': {
    'zh-CN': '行政区划代码 {divisionCode} 不在本区县（{district}）范围内',
    en: 'Division code {divisionCode} lies outside the district ({district})',
  },
  'org.grade_code_mismatch': {
    'zh-CN': '班级的年级代码 {gradeCode} 与所属年级的代码 {parentGradeCode} 不一致',
    en: "The class's grade code {gradeCode} differs from its grade's code {parentGradeCode}",
  },
  'org.grade_taken': {
    'zh-CN': '该校区已有年级代码为 {gradeCode} 的年级',
    en: 'The campus already has a grade with code {gradeCode}',
  },
  'org.class_number_taken': {
    'zh-CN': '该学年此年级已有 {classNumber} 班',
    en: 'Class {classNumber} already exists in this grade for this academic year',
  },
  'org.field_not_for_kind': {
    'zh-CN': '该字段不适用于{kind}',
    en: 'This field does not apply to a {kind}',
  },
  'org.school_type_conflicts_with_units': {
    'zh-CN': '现有的年级或班级不适用于{schoolType}，请先调整',
    en: 'Existing grades or classes do not fit a {schoolType}; change them first',
  },
  'org.move_across_districts': {
    'zh-CN': '组织只能在本区县内移动',
    en: 'An organisation can only move within its own district',
  },
  'org.academic_year_unknown': { 'zh-CN': '本区县没有此学年', en: 'The district has no such academic year' },
  'org.grouping_closed': { 'zh-CN': '该学校分组已撤销', en: 'The school grouping is closed' },
  'org.grouping_name_taken': {
    'zh-CN': '同类分组中已有名为“{name}”的分组',
    en: 'A grouping of this kind named {name} already exists',
  },
  'org.grouping_member_not_school': {
    'zh-CN': '只有本区县未撤销的学校可以加入分组',
    en: 'Only an active school of the same district can join a grouping',
  },
  'org.grouping_member_missing': { 'zh-CN': '该学校不在此分组中', en: 'The school is not in this grouping' },
  'org.field_required': { 'zh-CN': '{kind}须填写此项', en: 'A {kind} needs this field' },
  'org.name_invalid': { 'zh-CN': '名称须为 1–100 个字符', en: 'A name has 1–100 characters' },
  'academicYear.invalid_name': {
    'zh-CN': '学年名称须为相邻两年，如“2026-2027”（当前为“{name}”）',
    en: 'An academic year is named after two consecutive years, e.g. 2026-2027 (got {name})',
  },
  'academicYear.ends_before_start': {
    'zh-CN': '结束日期须晚于开始日期',
    en: 'The end date must be after the start date',
  },
  'academicYear.term_seq_repeated': { 'zh-CN': '学期序号 {seq} 重复', en: 'Term number {seq} appears twice' },
  'district.division_outside_city': {
    'zh-CN': '行政区划代码 {divisionCode} 不属于{city}',
    en: 'Division code {divisionCode} does not lie in {city}',
  },
  'district.division_not_district': {
    'zh-CN': '区县须使用县级或地级行政区划代码，{divisionCode} 为省级代码',
    en: 'A district needs a county- or prefecture-level division code; {divisionCode} is a province',
  },
  'cityBureau.division_code_taken': {
    'zh-CN': '行政区划代码 {divisionCode} 已有市教育局',
    en: 'A city bureau with division code {divisionCode} already exists',
  },
  'cityBureau.division_not_city': {
    'zh-CN': '市教育局须使用省级或地级行政区划代码，{divisionCode} 为县级代码',
    en: 'A city bureau needs a province- or prefecture-level division code; {divisionCode} is a county',
  },
  // audit domain
  'audit.district_required': {
    'zh-CN': '您可查看多个区县的审计记录，请指定区县（districtId）',
    en: 'You may read the audit trail of several districts; name one (districtId)',
  },
  'user.grant_required': {
    'zh-CN': '学校管理员创建用户时须同时授予其本校角色',
    en: 'Give the new user a role in your school when you create it',
  },
} as const satisfies Record<string, Record<Lang, string>>;

export type Lang = 'zh-CN' | 'en';
export type MessageCode = keyof typeof messages;

/** Resource names used in `resource.not_found`. */
export const resourceNames = {
  orgUnit: { 'zh-CN': '组织', en: 'Organisation' },
  district: { 'zh-CN': '区县', en: 'District' },
  cityBureau: { 'zh-CN': '市教育局', en: 'City bureau' },
  user: { 'zh-CN': '用户', en: 'User' },
  grant: { 'zh-CN': '授权', en: 'Grant' },
  academicYear: { 'zh-CN': '学年', en: 'Academic year' },
  grouping: { 'zh-CN': '学校分组', en: 'School grouping' },
  auditEvent: { 'zh-CN': '审计记录', en: 'Audit event' },
  division: { 'zh-CN': '行政区划', en: 'Division' },
} as const satisfies Record<string, Record<Lang, string>>;

export type ResourceName = keyof typeof resourceNames;

export function translate(code: MessageCode, lang: Lang, params: Record<string, unknown> = {}): string {
  const template: string = messages[code][lang];
  return template.replace(/\{(\w+)\}/g, (_, key: string) => {
    const value = params[key];
    if (key === 'resource' && typeof value === 'string' && value in resourceNames) {
      return resourceNames[value as ResourceName][lang];
    }
    return value === undefined ? `{${key}}` : String(value);
  });
}

/** zh-CN unless the client prefers English (Accept-Language or ?lang=). */
export function pickLang(acceptLanguage: string | undefined, fallback: Lang): Lang {
  if (!acceptLanguage) return fallback;
  const first = acceptLanguage.split(',')[0]?.trim().toLowerCase() ?? '';
  if (first.startsWith('en')) return 'en';
  if (first.startsWith('zh')) return 'zh-CN';
  return fallback;
}
