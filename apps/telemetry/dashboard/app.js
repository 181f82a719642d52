/* global document, window, location */
import { ApiError, AuthRequired, setToken, token } from './api.js';
import { certificatesPage, proxiesPage } from './control-plane.js';
import { h, message } from './dom.js';
import { servicePage, servicesPage } from './service.js';
import { topologyPage } from './topology.js';
import { tracePage, tracesPage } from './traces.js';

const REFRESH_MS = 5000;
const ROUTES = [
  [/^#\/topology$/, 'topology', topologyPage, true],
  [/^#\/services$/, 'services', servicesPage, true],
  [/^#\/service\/([^/]+)\/([^/]+)$/, 'services', servicePage, true],
  [/^#\/traces$/, 'traces', tracesPage, false],
  [/^#\/trace\/([0-9a-fA-F]{16,32})$/, 'traces', tracePage, false],
  [/^#\/proxies$/, 'proxies', proxiesPage, true],
  [/^#\/certificates$/, 'certificates', certificatesPage, false],
];

const view = document.getElementById('view');
const status = document.getElementById('status');
const windowSelect = document.getElementById('window');
const logout = document.getElementById('logout');
let timer = null;
let generation = 0;

const ctx = {
  get window() {
    return windowSelect.value;
  },
  go(hash) {
    location.hash = hash;
  },
};

function loginForm(reason) {
  const input = h('input', { type: 'password', id: 'token', name: 'token', autocomplete: 'current-password', required: true, minlength: 16 });
  const form = h(
    'form',
    { class: 'login', id: 'login' },
    h('h1', {}, 'Sign in'),
    h('p', {}, 'This telemetry service requires a bearer token (WEFT_TELEMETRY_TOKEN).'),
    reason ? h('p', { class: 'error' }, reason) : null,
    h('label', {}, 'Token ', input),
    h('button', { type: 'submit' }, 'Sign in'),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    setToken(input.value.trim());
    void render();
  });
  setTimeout(() => input.focus(), 0);
  return form;
}

function route() {
  const [path, query = ''] = (location.hash || '#/topology').split('?');
  for (const [re, nav, page, refresh] of ROUTES) {
    const m = re.exec(path);
    if (m) return { nav, page, refresh, args: m.slice(1).map(decodeURIComponent), params: new URLSearchParams(query) };
  }
  return null;
}

async function render() {
  const gen = ++generation;
  clearTimeout(timer);
  const r = route();
  if (r === null) {
    ctx.go('#/topology');
    return;
  }
  for (const a of document.querySelectorAll('#nav a')) a.classList.toggle('active', a.dataset.page === r.nav);
  logout.hidden = !token();
  let content;
  try {
    content = await r.page(ctx, ...r.args, r.params);
  } catch (err) {
    if (gen !== generation) return;
    if (err instanceof AuthRequired) {
      const hadToken = token() !== null;
      setToken(null);
      logout.hidden = true;
      view.replaceChildren(loginForm(hadToken ? `That token was refused: ${err.message}` : null));
      status.textContent = '';
      return;
    }
    content = message('error', err instanceof ApiError ? `${err.code} (HTTP ${err.status})` : 'Cannot reach telemetry', err.message);
  }
  if (gen !== generation) return;
  view.replaceChildren(content);
  status.textContent = `updated ${new Date().toLocaleTimeString()}${r.refresh ? ` · refreshes every ${REFRESH_MS / 1000} s` : ''}`;
  document.body.dataset.rendered = String(gen);
  if (r.refresh) timer = setTimeout(() => void render(), REFRESH_MS);
}

window.addEventListener('hashchange', () => void render());
windowSelect.addEventListener('change', () => void render());
logout.addEventListener('click', () => {
  setToken(null);
  void render();
});
void render();
