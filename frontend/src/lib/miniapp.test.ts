import { act, renderHook } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';

import { type MiniAppSdk, mightBeInMiniApp, startMiniApp, useMiniAppDisplayName } from './miniapp';

const TOP_WINDOW = (() => {
  const win = { parent: null as unknown };
  win.parent = win;
  return win;
})();
const FRAMED_WINDOW = { parent: {} };

function fakeSdk(answer: Promise<boolean>, context = new Promise<unknown>(() => undefined)) {
  const ready = vi.fn(() => new Promise<void>(() => undefined)); // a host whose ready() never answers
  const sdk = { isInMiniApp: () => answer, actions: { ready }, context } as unknown as MiniAppSdk;
  return { sdk, ready };
}

describe('startMiniApp', () => {
  it('does not load the SDK in a normal browser tab', async () => {
    const loadSdk = vi.fn();
    await expect(startMiniApp({ win: TOP_WINDOW, loadSdk })).resolves.toBe(false);
    expect(loadSdk).not.toHaveBeenCalled();
    expect(mightBeInMiniApp({ parent: TOP_WINDOW, ReactNativeWebView: {} })).toBe(true);
  });

  it('calls ready() only when the host answers yes, and does not wait for it', async () => {
    const { sdk, ready } = fakeSdk(Promise.resolve(true));
    await expect(startMiniApp({ win: FRAMED_WINDOW, loadSdk: () => Promise.resolve(sdk) })).resolves.toBe(true);
    expect(ready).toHaveBeenCalledTimes(1);
  });

  it('never calls ready() when the host says no', async () => {
    const { sdk, ready } = fakeSdk(Promise.resolve(false));
    await expect(startMiniApp({ win: FRAMED_WINDOW, loadSdk: () => Promise.resolve(sdk) })).resolves.toBe(false);
    expect(ready).not.toHaveBeenCalled();
  });

  it('gives up after the timeout when isInMiniApp() hangs', async () => {
    vi.useFakeTimers();
    try {
      const { sdk, ready } = fakeSdk(new Promise(() => undefined));
      const started = startMiniApp({ win: FRAMED_WINDOW, loadSdk: () => Promise.resolve(sdk), timeoutMs: 1000 });
      await vi.advanceTimersByTimeAsync(1100);
      await expect(started).resolves.toBe(false);
      expect(ready).not.toHaveBeenCalled();
    } finally {
      vi.useRealTimers();
    }
  });

  it('runs onInside (Quick Auth) only inside a host, and survives it throwing', async () => {
    const onInside = vi.fn();
    const inside = fakeSdk(Promise.resolve(true)).sdk;
    await startMiniApp({ win: FRAMED_WINDOW, loadSdk: () => Promise.resolve(inside), onInside });
    await startMiniApp({
      win: FRAMED_WINDOW,
      loadSdk: () => Promise.resolve(fakeSdk(Promise.resolve(false)).sdk),
      onInside,
    });
    await startMiniApp({ win: TOP_WINDOW, loadSdk: () => Promise.resolve(inside), onInside });
    expect(onInside).toHaveBeenCalledTimes(1);
    expect(onInside).toHaveBeenCalledWith(inside);

    const throwing = () => {
      throw new Error('boom');
    };
    await expect(
      startMiniApp({ win: FRAMED_WINDOW, loadSdk: () => Promise.resolve(inside), onInside: throwing }),
    ).resolves.toBe(true);
  });

  it('survives an SDK that fails to load', async () => {
    await expect(
      startMiniApp({ win: FRAMED_WINDOW, loadSdk: () => Promise.reject(new Error('chunk failed')) }),
    ).resolves.toBe(false);
  });

  it("greets with the host's display name", async () => {
    const { result } = renderHook(() => useMiniAppDisplayName());
    const { sdk } = fakeSdk(Promise.resolve(true), Promise.resolve({ user: { fid: 3, displayName: ' Dan ' } }));
    await act(async () => {
      await startMiniApp({ win: FRAMED_WINDOW, loadSdk: () => Promise.resolve(sdk) });
      await Promise.resolve();
    });
    expect(result.current).toBe('Dan');
  });
});
