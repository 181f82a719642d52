import { Controller, Get, Inject, Param, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { WeftError } from '@weft/shared';
import { DASHBOARD_ERRORS } from './control-plane.client';
import { DashboardAssets, type DashboardAsset } from './dashboard-assets';

/** Same-origin scripts and styles only; the API is called on the same origin. */
const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'";

/**
 * The operator dashboard's static files: `/` is the single page, `/dashboard/<file>` its modules and
 * styles. Open (no token): the page itself asks for the token when the API answers 401.
 */
@Controller()
export class DashboardController {
  constructor(@Inject(DashboardAssets) private readonly assets: DashboardAssets) {}

  @Get()
  index(@Res() reply: FastifyReply): void {
    send(reply, this.asset('index.html'));
  }

  @Get('dashboard/:file')
  file(@Param('file') file: string, @Res() reply: FastifyReply): void {
    send(reply, this.asset(file));
  }

  private asset(name: string): DashboardAsset {
    const a = this.assets.get(name);
    if (a === null) throw new WeftError(DASHBOARD_ERRORS.assetNotFound, 'not-found', `no dashboard file ${name}`);
    return a;
  }
}

function send(reply: FastifyReply, asset: DashboardAsset): void {
  void reply
    .header('content-type', asset.type)
    .header('cache-control', 'no-cache')
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', CSP)
    .send(asset.body);
}
