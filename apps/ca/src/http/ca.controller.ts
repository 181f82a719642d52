import { Body, Controller, Get, Header, Headers, HttpCode, Inject, Post, Query, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { createTokenRequest, type CreateTokenResponse, type IssuedCertificateList } from '@weft/api';
import { parseOrThrow } from '@weft/shared';
import { AuditRepository } from '../audit/audit.repository';
import { CA_CONFIG, type CaConfig } from '../config/ca.config';
import { CaService } from '../issuer/ca.service';
import { checkAdminBearer } from './admin-auth';

/** The CA's HTTP API: trust bundle, bootstrap tokens (admin), issuance audit. */
@Controller('v1')
export class CaController {
  constructor(
    @Inject(CaService) private readonly ca: CaService,
    @Inject(AuditRepository) private readonly audit: AuditRepository,
    @Inject(CA_CONFIG) private readonly config: CaConfig,
  ) {}

  @Get('trust-bundle')
  @Header('content-type', 'application/x-pem-file')
  trustBundle(): string {
    return this.ca.trustBundle().join('');
  }

  @Post('tokens')
  @HttpCode(201)
  createToken(@Body() body: unknown, @Headers('authorization') authorization: string | undefined, @Req() request: FastifyRequest): CreateTokenResponse {
    checkAdminBearer(this.config.adminToken, authorization, request.socket.remoteAddress ?? '');
    const req = parseOrThrow(createTokenRequest, body ?? {}, 'token request', 'WEFT_ERR_CA_TOKEN_REQUEST');
    return this.ca.createToken(req.namespace, req.serviceAccount, req.ttlSeconds);
  }

  @Get('certs')
  async certs(@Query('all') all?: string, @Query('limit') limit?: string): Promise<IssuedCertificateList> {
    const n = Math.min(10_000, Math.max(1, Number(limit ?? 1000) || 1000));
    return { certificates: await this.audit.list(n, all === 'true') };
  }
}
