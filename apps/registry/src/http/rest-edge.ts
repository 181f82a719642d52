import type { Provider, Type } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { InstancesController } from './instances.controller';
import { OpenApiController } from './openapi.controller';
import { RestErrorFilter } from './rest-error.filter';
import { ServicesController } from './services.controller';

/** The REST edge as the registry module wires it: its controllers and its providers. */
export const REST_CONTROLLERS: readonly Type<unknown>[] = [ServicesController, InstancesController, OpenApiController];

/** RestErrorFilter is global so that fastify's own errors (malformed JSON, 413, 404) get the API's error shape. */
export const REST_PROVIDERS: readonly Provider[] = [{ provide: APP_FILTER, useClass: RestErrorFilter }];
