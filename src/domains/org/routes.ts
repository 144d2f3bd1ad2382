/**
 * HTTP routes of the org domain, under /api/v1: request schemas, one service call, the response.
 * Codes (学校标识码, 行政区划代码, 办学类型, grade codes) are checked by the service, so a bad one
 * answers with a message naming the rule rather than a regular expression.
 */
import type { App } from '../../http/types';
import { academicYearRoutes } from './academic-years-routes';
import { districtRoutes } from './districts-routes';
import { groupingRoutes } from './groupings-routes';
import { orgUnitRoutes } from './org-units-routes';
import { referenceRoutes } from './reference-routes';

export async function orgRoutes(app: App): Promise<void> {
  referenceRoutes(app);
  districtRoutes(app);
  orgUnitRoutes(app);
  groupingRoutes(app);
  academicYearRoutes(app);
}
