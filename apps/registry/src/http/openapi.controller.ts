import { Controller, Get, UseInterceptors } from '@nestjs/common';
import { buildOpenApiDocument, type OpenApiDocument } from './openapi.document';
import { RestMetricsInterceptor } from './rest-metrics.interceptor';
import { OPENAPI_PATH } from './rest-routes';

/** GET /v1/openapi.json: the REST API's OpenAPI 3.1 document (built once, at start). */
@Controller()
@UseInterceptors(RestMetricsInterceptor)
export class OpenApiController {
  private readonly doc: OpenApiDocument = buildOpenApiDocument();

  @Get(OPENAPI_PATH)
  document(): OpenApiDocument {
    return this.doc;
  }
}
