import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Put, Query, UseGuards, UseInterceptors } from '@nestjs/common';
import type { Instance } from '@weft/api';
import { RegistryService } from '../registry/registry.service';
import { BearerAuthGuard } from './bearer-auth.guard';
import { RestMetricsInterceptor } from './rest-metrics.interceptor';
import { instanceRefFrom, listInstancesFrom, registerRequestFrom, type PathParams, type QueryParams } from './rest-request';
import { HEARTBEAT_PATH, INSTANCE_PATH, INSTANCES_PATH } from './rest-routes';

/** REST: register, list, heartbeat and deregister the instances of a service. */
@Controller()
@UseGuards(BearerAuthGuard)
@UseInterceptors(RestMetricsInterceptor)
export class InstancesController {
  constructor(@Inject(RegistryService) private readonly registry: RegistryService) {}

  /**
   * Registers (creates or replaces) an instance: always 201 with the stored instance, also when it
   * replaced or repeated an earlier registration of the same id (registration is idempotent).
   */
  @Post(INSTANCES_PATH)
  @HttpCode(201)
  register(@Param() params: PathParams, @Body() body: unknown): Promise<Instance> {
    return this.registry.register(registerRequestFrom(params, body));
  }

  @Get(INSTANCES_PATH)
  list(@Param() params: PathParams, @Query() query: QueryParams): Promise<{ revision: number; instances: Instance[] }> {
    return this.registry.listInstances(listInstancesFrom(params, query));
  }

  @Delete(INSTANCE_PATH)
  @HttpCode(204)
  async deregister(@Param() params: PathParams): Promise<void> {
    await this.registry.deregister(instanceRefFrom(params));
  }

  /** 404 for an unknown instance (nothing is written): the client should register again. */
  @Put(HEARTBEAT_PATH)
  @HttpCode(200)
  heartbeat(@Param() params: PathParams): Promise<{ lastHeartbeat: number }> {
    return this.registry.heartbeat(instanceRefFrom(params));
  }
}
