import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Put, Query, UseGuards, UseInterceptors } from '@nestjs/common';
import type { Service } from '@weft/api';
import { RegistryService } from '../registry/registry.service';
import { BearerAuthGuard } from './bearer-auth.guard';
import { RestMetricsInterceptor } from './rest-metrics.interceptor';
import { listServicesFrom, serviceRefFrom, serviceSpecFrom, type PathParams, type QueryParams } from './rest-request';
import { SERVICE_PATH, SERVICES_PATH } from './rest-routes';

/** REST: create/replace, read, list and delete services. */
@Controller()
@UseGuards(BearerAuthGuard)
@UseInterceptors(RestMetricsInterceptor)
export class ServicesController {
  constructor(@Inject(RegistryService) private readonly registry: RegistryService) {}

  @Get(SERVICES_PATH)
  async list(@Query() query: QueryParams): Promise<{ services: Service[] }> {
    const { namespace } = listServicesFrom(query);
    return { services: await this.registry.listServices(namespace) };
  }

  /** Creates or replaces the service; 200 with the stored service either way. */
  @Put(SERVICE_PATH)
  @HttpCode(200)
  upsert(@Param() params: PathParams, @Body() body: unknown): Promise<Service> {
    return this.registry.upsertService(serviceSpecFrom(params, body));
  }

  @Get(SERVICE_PATH)
  get(@Param() params: PathParams): Promise<Service> {
    return this.registry.getService(serviceRefFrom(params));
  }

  /** Deletes the service and all its instances; 409 for a service managed by the static file. */
  @Delete(SERVICE_PATH)
  @HttpCode(204)
  async delete(@Param() params: PathParams): Promise<void> {
    await this.registry.deleteService(serviceRefFrom(params));
  }
}
