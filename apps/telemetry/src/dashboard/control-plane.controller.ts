import { Controller, Get, Inject, Query, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import type { IssuedCertificateList } from '@weft/api';
import { parseQuery } from '../http/api-query.schema';
import { BearerAuthGuard } from '../http/bearer-auth.guard';
import { ControlPlaneClient, type ProxyListResponse } from './control-plane.client';

const certificatesQuery = z.object({ all: z.enum(['true', 'false']).default('false') });

/**
 * What the dashboard shows from the rest of the control plane, relayed over NATS: proxies' xDS sync
 * state from pilot, the issuance audit from the CA. 503 naming the app when it does not answer.
 */
@Controller('api/v1/mesh')
@UseGuards(BearerAuthGuard)
export class ControlPlaneController {
  constructor(@Inject(ControlPlaneClient) private readonly client: ControlPlaneClient) {}

  @Get('proxies')
  proxies(): Promise<ProxyListResponse> {
    return this.client.proxies();
  }

  @Get('certificates')
  certificates(@Query() query: unknown): Promise<IssuedCertificateList> {
    return this.client.certificates(parseQuery(certificatesQuery, query).all === 'true');
  }
}
