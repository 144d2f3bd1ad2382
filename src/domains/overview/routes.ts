import { z } from 'zod';
import { type App, ctxOf } from '../../http/types';
import { overviewSchema } from './presenter';
import { districtOverview } from './service';

export function overviewRoutes(app: App): void {
  app.get(
    '/districts/:id/overview',
    {
      schema: {
        tags: ['org'],
        summary: '区域概况：学校、学生、教职工、生师比、编制、班额 / a district at a glance',
        description:
          'Aggregates for those who read the whole district: schools by type, students by stage and grade, ' +
          'staff, students per full-time teacher and the staff the 编制 standard calls for per school, class ' +
          'sizes with 大班额 (≥56) flagged. Standards from data/school_operation_limits.json.',
        params: z.object({ id: z.guid() }),
        response: { 200: overviewSchema },
      },
    },
    async (request) => districtOverview(ctxOf(request), request.params.id),
  );
}
