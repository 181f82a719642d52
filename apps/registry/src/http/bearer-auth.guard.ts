import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { REGISTRY_CONFIG, type RegistryConfig } from '../config/registry.config';
import { checkBearer } from '@weft/shared';
import { isMutatingMethod } from './rest-routes';

/**
 * Mutating REST calls (PUT, POST, DELETE) need `authorization: Bearer <WEFT_REGISTRY_TOKEN>` when a
 * token is configured; reads stay open. A refusal is a WeftError (unauthenticated) → 401 with
 * `WWW-Authenticate: Bearer`, answered by RestErrorFilter.
 */
@Injectable()
export class BearerAuthGuard implements CanActivate {
  constructor(@Inject(REGISTRY_CONFIG) private readonly config: RegistryConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (isMutatingMethod(request.method)) checkBearer(this.config.token, request.headers.authorization);
    return true;
  }
}
