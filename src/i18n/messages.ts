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
  'auth.token_invalid': {
    'zh-CN': '访问令牌无效或已过期，请重新获取',
    en: 'The access token is invalid or has expired; request a new one',
  },
  'apiClient.rate_limited': {
    'zh-CN': '该应用请求过于频繁（每分钟最多 {max} 次），请稍后再试',
    en: 'Too many requests from this app (at most {max} a minute); try again shortly',
  },
  'apiClient.unit_outside_district': {
    'zh-CN': '授权应用只能访问本区县的组织',
    en: 'An API client may only be given organisations of its own district',
  },
  'apiClient.field_needs_scope': {
    'zh-CN': '授予敏感字段前，应用须具有 persons:reveal 权限范围',
    en: 'Grant the persons:reveal scope before granting sensitive fields',
  },
  'purpose.required': {
    'zh-CN': '查看敏感信息须先登记用途，且用途须在有效期内并涵盖该对象',
    en: 'Seeing sensitive data needs a declared purpose that is in force and covers it',
  },
  'purpose.no_sensitive_right': {
    'zh-CN': '您的角色无权查看该对象的敏感信息',
    en: 'Your roles may not see sensitive data about this',
  },
  'purpose.self_approval': {
    'zh-CN': '用途须由另一人审批，不能审批自己的登记',
    en: 'A purpose must be approved by someone else, not by the person who declared it',
  },
  'purpose.not_pending': { 'zh-CN': '该用途登记不在待审批状态', en: 'This purpose is not awaiting approval' },
  'purpose.already_ended': { 'zh-CN': '该用途登记已结束', en: 'This purpose has already ended' },
  'purpose.too_long': {
    'zh-CN': '“{purpose}”最长有效 {max} 小时',
    en: '"{purpose}" may last at most {max} hours',
  },
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
  'audit.actor_twice': {
    'zh-CN': '操作人请只用 actorId 或 actorUsername 之一',
    en: 'Name the actor by actorId or by actorUsername, not both',
  },
  'audit.district_required': {
    'zh-CN': '您可查看多个区县的审计记录，请指定区县（districtId）',
    en: 'You may read the audit trail of several districts; name one (districtId)',
  },
  'user.grant_required': {
    'zh-CN': '学校管理员创建用户时须同时授予其本校角色',
    en: 'Give the new user a role in your school when you create it',
  },
  // identity documents (src/standards/id-number.ts); messages never repeat the number itself
  'idNumber.empty': { 'zh-CN': '请填写证件号码', en: 'Enter the document number' },
  'idNumber.format': {
    'zh-CN': '居民身份证号码须为 18 位：17 位数字加 1 位数字或 X',
    en: 'A resident ID number has 18 characters: 17 digits, then a digit or X',
  },
  'idNumber.province': {
    'zh-CN': '号码前两位不是有效的省级行政区划代码',
    en: 'The first two digits are not a province code',
  },
  'idNumber.birth_date': {
    'zh-CN': '号码中的出生日期不是有效日期',
    en: 'The birth date in the number is not a valid date',
  },
  'idNumber.future_birth_date': {
    'zh-CN': '号码中的出生日期晚于今天',
    en: 'The birth date in the number is in the future',
  },
  'idNumber.check_digit': {
    'zh-CN': '号码校验位不正确（GB 11643 第 18 位）',
    en: 'The check character is wrong (GB 11643, 18th character)',
  },
  'idNumber.too_long': {
    'zh-CN': '证件号码不能超过 32 个字符',
    en: 'A document number has at most 32 characters',
  },
  'idNumber.spaces': { 'zh-CN': '证件号码不能包含空格', en: 'A document number contains no spaces' },
  'idNumber.unknown_type': {
    'zh-CN': '证件类型不在 JY/T 1001 身份证件类型代码表中',
    en: 'The document type is not a JY/T 1001 identity document type code',
  },
  'studentNumber.empty': { 'zh-CN': '请填写学籍号', en: 'Enter the student number' },
  'studentNumber.format': {
    'zh-CN': '学籍号须为 19 位：1 位字母（G、J 或 L）加 18 位',
    en: 'A student number has 19 characters: a letter (G, J or L), then 18',
  },
  'studentNumber.prefix': {
    'zh-CN': '学籍号须以 G、J 或 L 开头',
    en: 'A student number starts with G, J or L',
  },
  // persons and students (src/domains/people/persons-*.ts, students-*.ts)
  'person.name_invalid': { 'zh-CN': '姓名须为 1–50 个字符', en: 'A name has 1–50 characters' },
  'person.gender_unknown': {
    'zh-CN': '性别代码不在 GB/T 2261.1 代码表中',
    en: 'The gender code is not a GB/T 2261.1 code',
  },
  'person.ethnicity_unknown': {
    'zh-CN': '民族代码不在 GB/T 3304 代码表中',
    en: 'The ethnicity code is not a GB/T 3304 code',
  },
  'person.birth_date_invalid': {
    'zh-CN': '出生日期须为 1900 年以后、不晚于今天的日期',
    en: 'The birth date must be a date from 1900 up to today',
  },
  'person.birth_date_mismatch': {
    'zh-CN': '出生日期与身份证号码中的出生日期不一致',
    en: 'The birth date differs from the one in the ID number',
  },
  'person.gender_mismatch': {
    'zh-CN': '性别与身份证号码不一致（第 17 位奇数为男、偶数为女）',
    en: 'The gender differs from the ID number (17th digit odd = male, even = female)',
  },
  'person.phone_invalid': {
    'zh-CN': '电话号码格式不正确（11 位手机号码，或带区号的固定电话）',
    en: 'The phone number is invalid (an 11-digit mobile number, or a landline with area code)',
  },
  'person.person_or_registration': {
    'zh-CN': '请填写学生信息（person）或选择已有人员（personId），二者选一',
    en: 'Give either the student’s details (person) or an existing person (personId), not both',
  },
  'enrolment.already_enrolled': {
    'zh-CN': '该学生已在本区县学校在籍，请办理转学而不是重新注册',
    en: 'The student is already enrolled at a school of this district; transfer instead of enrolling again',
  },
  'enrolment.not_a_school': { 'zh-CN': '所选组织不是学校', en: 'The unit is not a school' },
  'enrolment.not_a_class': { 'zh-CN': '所选组织不是班级', en: 'The unit is not a class' },
  'enrolment.class_not_in_school': { 'zh-CN': '班级不属于该学校', en: 'The class is not in this school' },
  'enrolment.class_closed': { 'zh-CN': '班级已撤销', en: 'The class is closed' },
  'enrolment.class_not_current_year': {
    'zh-CN': '班级所属学年不包含该日期，请选择当前学年的班级',
    en: 'The class’s academic year does not contain this date; choose a class of the current year',
  },
  'enrolment.student_number_taken': {
    'zh-CN': '该学籍号已被本区县另一名在籍学生使用',
    en: 'Another enrolled student of this district has this student number',
  },
  'enrolment.change_not_allowed': {
    'zh-CN': '当前学籍状态不能办理此项学籍异动',
    en: 'This change is not possible in the enrolment’s current status',
  },
  'enrolment.change_not_allowed_from': {
    'zh-CN': '学籍状态为“{status}”时不能办理“{changeType}”',
    en: 'A {changeType} change is not possible while the enrolment is {status}',
  },
  'enrolment.to_class_required': {
    'zh-CN': '“{changeType}”须指定新班级（toClassId）',
    en: 'A {changeType} change needs the new class (toClassId)',
  },
  'enrolment.to_class_not_allowed': {
    'zh-CN': '“{changeType}”不改变班级，请勿填写 toClassId',
    en: 'A {changeType} change keeps the class; leave toClassId out',
  },
  'enrolment.repeat_to_higher_grade': {
    'zh-CN': '留级的新班级不能高于当前年级',
    en: 'A repeated year cannot move the student to a higher grade',
  },
  'enrolment.same_class': { 'zh-CN': '新班级与当前班级相同', en: 'The new class is the current class' },
  'enrolment.effective_before_history': {
    'zh-CN': '生效日期不能早于入学日期或上一次学籍异动的日期（{date}）',
    en: 'The effective date cannot precede the entry date or the previous change ({date})',
  },
  'enrolment.effective_in_future': {
    'zh-CN': '生效日期不能晚于今天',
    en: 'The effective date cannot be in the future',
  },
  'enrolment.not_active': {
    'zh-CN': '该学生当前没有在读学籍',
    en: 'The student has no active enrolment',
  },
  'transfer.same_school': {
    'zh-CN': '转入学校与当前学校相同',
    en: 'The receiving school is the current school',
  },
  'transfer.same_district': {
    'zh-CN': '跨区县转学须转往其他区县；本区县内转学请使用校际转学',
    en: 'A transfer between districts goes to another district; use a school transfer within the district',
  },
  'transfer.school_not_in_district': {
    'zh-CN': '转入学校不属于所选区县',
    en: 'The receiving school is not in the chosen district',
  },
  'promotion.years_out_of_order': {
    'zh-CN': '目标学年须晚于原学年',
    en: 'The target academic year must come after the source year',
  },
  'promotion.effective_outside_year': {
    'zh-CN': '生效日期须在目标学年之内',
    en: 'The effective date must lie within the target academic year',
  },
  'promotion.school_without_grades': {
    'zh-CN': '该类学校不设年级，无法整体升级',
    en: 'Schools of this kind have no grades; there is nothing to promote',
  },
  'promotion.blocked': {
    'zh-CN': '升级无法执行：有 {count} 个问题，请先处理',
    en: 'The promotion cannot run: {count} problems to resolve first',
  },
  'promotion.class_without_grade': {
    'zh-CN': '班级“{className}”没有年级代码或班号，无法确定升级后的班级',
    en: 'Class {className} has no grade code or class number, so its next class is unknown',
  },
  'promotion.grade_not_in_school': {
    'zh-CN': '班级“{className}”的年级不在该校的年级设置中',
    en: 'The grade of class {className} is not one of the school’s grades',
  },
  // roster imports (src/domains/people/imports-*.ts)
  'import.unsupported_file': {
    'zh-CN': '只能导入 .xlsx 或 .csv 文件',
    en: 'Only .xlsx and .csv files can be imported',
  },
  'import.file_required': { 'zh-CN': '请选择要导入的文件', en: 'Choose a file to import' },
  'import.file_empty': { 'zh-CN': '上传的文件是空的', en: 'The uploaded file is empty' },
  'import.not_a_school': {
    'zh-CN': '只能向未撤销的学校导入名册',
    en: 'Rosters can only be imported into an open school',
  },
  'import.no_current_year': {
    'zh-CN': '本区县没有当前学年，请先建立学年和班级',
    en: 'The district has no current academic year; create the year and its classes first',
  },
  'import.not_confirmable': {
    'zh-CN': '只有校验完成、尚未写入的导入可以确认（当前状态：{status}）',
    en: 'Only a checked import not yet written can be confirmed (status: {status})',
  },
  'import.not_cancellable': {
    'zh-CN': '正在写入或已写入的导入不能取消（当前状态：{status}）',
    en: 'An import being written or already written cannot be cancelled (status: {status})',
  },
  // staff, assignments, guardians (src/domains/people/staff-*.ts, guardians-*.ts)
  'staff.post_unknown': {
    'zh-CN': '岗位代码不在 JY/T 1001 岗位职业代码表（GWZY）中',
    en: 'The post code is not a JY/T 1001 post code (GWZY)',
  },
  'staff.staffing_category_unknown': {
    'zh-CN': '编制类别代码不在 JY/T 1001 中小学编制类别代码表（ZXXBZLB）中',
    en: 'The staffing category is not a JY/T 1001 staffing category code (ZXXBZLB)',
  },
  'staff.subject_unknown': {
    'zh-CN': '学科代码不在 JY/T 1001 中小学课程代码表（ZXXKC）中',
    en: 'The subject code is not a JY/T 1001 course code (ZXXKC)',
  },
  'staff.school_closed': { 'zh-CN': '该学校已撤销', en: 'The school is closed' },
  'staff.class_closed': { 'zh-CN': '该班级已撤销', en: 'The class is closed' },
  'staff.post_exists': {
    'zh-CN': '该人员在本校已有未结束的岗位',
    en: 'The person already holds a post at this school that has not ended',
  },
  'staff.post_already_ended': { 'zh-CN': '该岗位已结束', en: 'The post has already ended' },
  'staff.end_before_start': {
    'zh-CN': '结束日期不能早于开始日期（{startedOn}）',
    en: 'The end date cannot precede the start date ({startedOn})',
  },
  'staff.no_post_at_school': {
    'zh-CN': '该教师在班级所在学校没有在岗记录，请先登记岗位',
    en: "The teacher holds no current post at the class's school; register the post first",
  },
  'staff.term_unknown': { 'zh-CN': '本区县没有此学期', en: 'The district has no such term' },
  'staff.term_not_class_year': {
    'zh-CN': '学期不属于该班级所在的学年',
    en: "The term does not belong to the class's academic year",
  },
  'staff.term_ended': { 'zh-CN': '该学期已结束', en: 'The term has ended' },
  'staff.start_outside_term': {
    'zh-CN': '开始日期须在学期之内（{startsOn} 至 {endsOn}）',
    en: 'The start date must lie within the term ({startsOn} to {endsOn})',
  },
  'staff.year_not_class_year': {
    'zh-CN': '学年与该班级所在的学年不一致',
    en: "The academic year is not the class's academic year",
  },
  'staff.academic_year_ended': { 'zh-CN': '该学年已结束', en: 'The academic year has ended' },
  'staff.start_outside_year': {
    'zh-CN': '开始日期须在学年之内（{startsOn} 至 {endsOn}）',
    en: 'The start date must lie within the academic year ({startsOn} to {endsOn})',
  },
  'staff.assignment_exists': {
    'zh-CN': '该教师本学期已在此班任教该学科',
    en: 'The teacher already teaches this subject in this class this term',
  },
  'staff.assignment_already_ended': { 'zh-CN': '该任课安排已结束', en: 'The assignment has already ended' },
  'staff.already_head_teacher': {
    'zh-CN': '该教师已是此班的班主任',
    en: 'The teacher is already the head teacher of this class',
  },
  'staff.not_staff': {
    'zh-CN': '该人员在您管理的学校没有在岗记录，不能开通教职工账号',
    en: 'The person holds no current post at a school you manage; no staff account can be opened',
  },
  'person.account_exists': { 'zh-CN': '该人员已有账号', en: 'The person already has an account' },
  'guardian.relation_unknown': {
    'zh-CN': '关系代码不是 GB/T 4761 家庭关系代码中可作监护人的关系（如 51 父亲、52 母亲）',
    en: 'The relation code is not a GB/T 4761 family relation a guardian can have (e.g. 51 father, 52 mother)',
  },
  'guardian.relation_exists': {
    'zh-CN': '该监护人与学生的监护关系已存在',
    en: 'This guardian is already registered for the student',
  },
  'guardian.relation_already_ended': {
    'zh-CN': '该监护关系已解除',
    en: 'The guardian relation has already ended',
  },
  'guardian.self': { 'zh-CN': '学生不能是自己的监护人', en: 'A student cannot be their own guardian' },
  'guardian.no_children': {
    'zh-CN': '该人员目前不是任何学生的监护人',
    en: 'The person is not currently the guardian of any student',
  },
  'guardian.already_activated': {
    'zh-CN': '该监护人已开通账号，如忘记密码请由管理员重置',
    en: 'The guardian already has an account; an administrator can reset its password',
  },
  'guardian.activation_invalid': {
    'zh-CN': '激活码无效、已使用或已过期，请向学校索取新的激活码',
    en: 'The activation code is invalid, used or expired; ask the school for a new one',
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
  rosterImport: { 'zh-CN': '名册导入', en: 'Roster import' },
  person: { 'zh-CN': '人员', en: 'Person' },
  enrolment: { 'zh-CN': '学籍', en: 'Enrolment' },
  staffPost: { 'zh-CN': '岗位记录', en: 'Staff post' },
  teachingAssignment: { 'zh-CN': '任课安排', en: 'Teaching assignment' },
  headTeacherAssignment: { 'zh-CN': '班主任安排', en: 'Head-teacher assignment' },
  guardianRelation: { 'zh-CN': '监护关系', en: 'Guardian relation' },
  purpose: { 'zh-CN': '用途登记', en: 'Purpose' },
  apiClient: { 'zh-CN': '授权应用', en: 'API client' },
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
