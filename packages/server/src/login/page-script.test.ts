/** The inline page script, run in a vm context with a minimal fake DOM, EventSource and fetch. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import vm from 'node:vm';
import { PAGE_SCRIPT } from './page-script.ts';
import { MESSAGES } from './messages.ts';

class FakeElement {
  textContent = '';
  hidden = false;
  href = '';
  className = '';
  tabIndex = 0;
  focused = false;
  children: FakeElement[] = [];
  appendChild(c: FakeElement) {
    this.children.push(c);
    return c;
  }
  focus() {
    this.focused = true;
  }
  /** Visible text, children included (textContent = '' clears children as in the DOM). */
  get text(): string {
    return [this.textContent, ...this.children.map((c) => c.text)].filter(Boolean).join(' | ');
  }
}

class FakeEventSource {
  static last: FakeEventSource | undefined;
  listeners = new Map<string, (e: { data: string }) => void>();
  onerror: (() => void) | null = null;
  closed = false;
  readonly url: string;
  constructor(url: string) {
    this.url = url;
    FakeEventSource.last = this;
  }
  addEventListener(name: string, fn: (e: { data: string }) => void) {
    this.listeners.set(name, fn);
  }
  emit(name: string, data: string) {
    this.listeners.get(name)?.({ data });
  }
  close() {
    this.closed = true;
  }
}

interface Env {
  assigned: string[];
  fetches: { url: string; init: { credentials?: string } }[];
  el: Record<string, FakeElement>;
  es: () => FakeEventSource | undefined;
  stop: () => void;
}

function run(opts: { expiresIn?: number; eventSource?: boolean; fetchReply?: (url: string) => { status: number; body?: unknown } } = {}): Env {
  const el: Record<string, FakeElement> = {};
  for (const id of ['dv-data', 'dv-time', 'dv-time-sr', 'dv-login', 'dv-outcome']) el[id] = new FakeElement();
  el['dv-outcome']!.hidden = true;
  el['dv-data']!.textContent = JSON.stringify({
    base: '/verifier',
    state: 'a b&c',
    expiresIn: opts.expiresIn ?? 120,
    homeUri: 'https://rp.example/',
    homeSite: 'rp.example',
    messages: MESSAGES.en,
  });
  const assigned: string[] = [];
  const fetches: Env['fetches'] = [];
  const timers = new Set<ReturnType<typeof setTimeout>>();
  FakeEventSource.last = undefined;
  const ctx: Record<string, unknown> = {
    document: {
      getElementById: (id: string) => el[id] ?? null,
      createElement: () => new FakeElement(),
    },
    location: { assign: (u: string) => assigned.push(u) },
    fetch: async (url: string, init: { credentials?: string }) => {
      fetches.push({ url, init });
      const r = opts.fetchReply?.(url) ?? { status: 200, body: { status: 'pending', expires_in: 100 } };
      return { status: r.status, ok: r.status < 300, json: async () => r.body };
    },
    setTimeout: (fn: () => void, ms: number) => {
      const t = setTimeout(fn, ms);
      timers.add(t);
      return t;
    },
    clearTimeout,
    setInterval: (fn: () => void, ms: number) => {
      const t = setInterval(fn, ms);
      timers.add(t);
      return t;
    },
    clearInterval,
  };
  if (opts.eventSource !== false) ctx.EventSource = FakeEventSource;
  ctx.window = ctx;
  vm.runInNewContext(PAGE_SCRIPT, ctx);
  return {
    assigned,
    fetches,
    el,
    es: () => FakeEventSource.last,
    stop: () => {
      for (const t of timers) clearTimeout(t);
    },
  };
}

const tick = () => new Promise((r) => setTimeout(r, 10));

test('opens the event stream under the issuer path at once and follows a redirect', () => {
  const env = run();
  try {
    const es = env.es();
    assert.equal(es?.url, '/verifier/api/login/events?state=a%20b%26c');
    assert.equal(env.el['dv-time']!.textContent, '2:00');
    es?.emit('redirect', 'https://rp.example/cb?code=1&state=a');
    assert.deepEqual(env.assigned, ['https://rp.example/cb?code=1&state=a']);
    assert.ok(es?.closed);
    assert.equal(env.el['dv-login']!.hidden, true);
    assert.match(env.el['dv-outcome']!.text, /Login accepted/);
  } finally {
    env.stop();
  }
});

test('never navigates to a non-http(s) redirect', () => {
  const env = run();
  try {
    env.es()?.emit('redirect', 'javascript:alert(1)');
    assert.deepEqual(env.assigned, []);
    assert.match(env.el['dv-outcome']!.text, /did not succeed/);
  } finally {
    env.stop();
  }
});

test('failed and expired events show the message and a link back to homeUri', () => {
  const env = run();
  try {
    env.es()?.emit('failed', '{"error":"the credential is revoked"}');
    const out = env.el['dv-outcome']!;
    assert.equal(out.hidden, false);
    assert.match(out.text, /did not succeed.*Reason: the credential is revoked.*Back to rp\.example/);
    const link = out.children.at(-1)?.children[0];
    assert.equal(link?.href, 'https://rp.example/');
    assert.ok(out.children[0]?.focused, 'focus moves to the outcome heading');
  } finally {
    env.stop();
  }
  const env2 = run();
  try {
    env2.es()?.emit('expired', '{}');
    assert.match(env2.el['dv-outcome']!.text, /has expired.*Back to rp\.example/);
  } finally {
    env2.stop();
  }
});

test('an EventSource error falls back to polling the status endpoint with same-origin credentials', async () => {
  let answer: { status: number; body?: unknown } = { status: 200, body: { status: 'pending', expires_in: 100 } };
  const env = run({ fetchReply: () => answer });
  try {
    env.es()?.onerror?.();
    assert.ok(env.es()?.closed);
    await tick();
    assert.equal(env.fetches[0]?.url, '/verifier/api/login/status?state=a%20b%26c');
    assert.equal(env.fetches[0]?.init.credentials, 'same-origin');
    assert.equal(env.el['dv-outcome']!.hidden, true);
    answer = { status: 403 };
    env.es()?.onerror?.(); // a second error does not start a second poll loop
  } finally {
    env.stop();
  }
  assert.equal(env.fetches.length, 1);
});

test('without EventSource it polls; complete → navigate; 403 → not started here', async () => {
  const env = run({ eventSource: false, fetchReply: () => ({ status: 200, body: { status: 'complete', redirect_to: 'https://rp.example/cb?code=2' } }) });
  try {
    await tick();
    assert.deepEqual(env.assigned, ['https://rp.example/cb?code=2']);
  } finally {
    env.stop();
  }
  const env2 = run({ eventSource: false, fetchReply: () => ({ status: 403 }) });
  try {
    await tick();
    assert.match(env2.el['dv-outcome']!.text, /not started in this browser/);
  } finally {
    env2.stop();
  }
});

test('the countdown reaching 0 shows the expired message', () => {
  const env = run({ expiresIn: 0 });
  try {
    assert.equal(env.el['dv-time']!.textContent, '0:00');
    assert.match(env.el['dv-outcome']!.text, /has expired/);
    assert.equal(env.es(), undefined, 'no stream is opened for an expired login');
    assert.equal(env.fetches.length, 0);
  } finally {
    env.stop();
  }
});
