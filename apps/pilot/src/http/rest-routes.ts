/** Pilot's REST paths, declared once (fastify path syntax). */
export const RULES_PATH = '/v1/rules';
export const RULE_PATH = '/v1/rules/:kind/:namespace/:name';
export const RULES_DELETE_PATH = '/v1/rules/delete';
export const ANALYZE_PATH = '/v1/analyze';
export const VERSION_PATH = '/v1/version';
export const PROXIES_PATH = '/v1/proxies';
export const PROXY_PATH = '/v1/proxies/:id';
export const PROXY_CONFIG_PATH = '/v1/proxies/:id/config/:type';
