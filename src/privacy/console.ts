import { fileURLToPath } from 'node:url';
import express, { Router } from 'express';
import { requireRole } from '../ingress/authenticate.ts';

const ASSETS = fileURLToPath(new URL('./console/', import.meta.url));

/**
 * The privacy officer's web page: static files only (helmet's CSP allows no inline script). Everything
 * it shows it reads from /privacy/v1, which changes nothing; so the page can change nothing either.
 */
export function privacyConsoleRouter(): Router {
  const router = Router();
  router.use(requireRole('privacy-officer'));
  router.use(express.static(ASSETS, { index: 'index.html', redirect: false, dotfiles: 'deny', setHeaders: (res) => res.setHeader('Cache-Control', 'no-cache') }));
  return router;
}
