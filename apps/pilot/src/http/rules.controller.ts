import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Query, UseGuards } from '@nestjs/common';
import type { RuleListResponse, RulesWriteResponse, StoredRuleView } from '@weft/api';
import { WeftError } from '@weft/shared';
import type { StoredRule } from '../rules/rules.repository';
import { BearerAuthGuard } from './bearer-auth.guard';
import { PILOT_HTTP_DEPS, type PilotHttpDeps } from './pilot-http.deps';
import { dryRunOf, listQueryOf, ruleKeyOf, rulesInputFrom, type PathParams, type QueryParams } from './rest-request';
import { RULE_PATH, RULES_DELETE_PATH, RULES_PATH } from './rest-routes';

function view(r: StoredRule): StoredRuleView {
  const { key, kind, namespace, name, revision, createdAt, updatedAt } = r;
  return { key, kind, namespace, name, revision, createdAt, updatedAt, document: { ...r.raw } };
}

function notFound(key: string): WeftError {
  return new WeftError('WEFT_ERR_PILOT_RULE_NOT_FOUND', 'not-found', `${key.replace('/', ' ')} not found`);
}

/** REST: apply (all or nothing, dry run), list, read and delete Istio rules. */
@Controller()
@UseGuards(BearerAuthGuard)
export class RulesController {
  constructor(@Inject(PILOT_HTTP_DEPS) private readonly deps: PilotHttpDeps) {}

  /** 200 with per-document created/configured/unchanged; 422 naming every bad document (nothing stored). */
  @Post(RULES_PATH)
  @HttpCode(200)
  apply(@Query() query: QueryParams, @Body() body: unknown): Promise<RulesWriteResponse> {
    return this.deps.rules.apply(rulesInputFrom(body), { dryRun: dryRunOf(query) });
  }

  /** `weftctl delete -f`: deletes the rules the documents name (only their identity is read). */
  @Post(RULES_DELETE_PATH)
  @HttpCode(200)
  deleteDocuments(@Query() query: QueryParams, @Body() body: unknown): Promise<RulesWriteResponse> {
    return this.deps.rules.deleteDocuments(rulesInputFrom(body), { dryRun: dryRunOf(query) });
  }

  @Get(RULES_PATH)
  async list(@Query() query: QueryParams): Promise<RuleListResponse> {
    const { kind, namespace } = listQueryOf(query);
    const snap = await this.deps.rules.list(kind, namespace);
    return { revision: snap.revision, items: snap.rules.map(view) };
  }

  @Get(RULE_PATH)
  async get(@Param() params: PathParams): Promise<StoredRuleView> {
    const key = ruleKeyOf(params);
    const rule = await this.deps.rules.get(key);
    if (rule === null) throw notFound(key);
    return view(rule);
  }

  @Delete(RULE_PATH)
  @HttpCode(200)
  async delete(@Param() params: PathParams, @Query() query: QueryParams): Promise<RulesWriteResponse> {
    const key = ruleKeyOf(params);
    const res = await this.deps.rules.delete([key], { dryRun: dryRunOf(query) });
    if (res.results.every((r) => r.action === 'not-found')) throw notFound(key);
    return res;
  }
}
