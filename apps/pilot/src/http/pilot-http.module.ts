import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { BearerAuthGuard } from './bearer-auth.guard';
import { OpsController } from './ops.controller';
import { PILOT_HTTP_DEPS, type PilotHttpDeps } from './pilot-http.deps';
import { ProxiesController } from './proxies.controller';
import { RestErrorFilter } from './rest-error.filter';
import { RulesController } from './rules.controller';

/**
 * Pilot's HTTP edge as a Nest module: the rules API, proxy status and config, analyze, version,
 * /healthz, /readyz and /metrics, with the API's error shape for every failure. Import it into the
 * app module (`imports: [PilotHttpModule.forRoot(deps)]`) and create the app with
 * `pilotFastifyAdapter()` so YAML bodies are accepted — or let `createPilotHttpApp(deps)` do both.
 */
@Module({})
export class PilotHttpModule {
  static forRoot(deps: PilotHttpDeps): DynamicModule {
    return {
      module: PilotHttpModule,
      controllers: [RulesController, ProxiesController, OpsController],
      providers: [
        { provide: PILOT_HTTP_DEPS, useValue: deps },
        BearerAuthGuard,
        { provide: APP_FILTER, useClass: RestErrorFilter },
      ],
    };
  }
}
