/**
 * Two <video> elements played as one: the source leads (its audio is heard), the result
 * follows (muted): play, pause, seek and rate are mirrored, and drift beyond a frame or two
 * is corrected with a seek. One scrub bar and play button drive both.
 */

/** Seconds of drift tolerated before the follower is re-seeked. */
export const MAX_DRIFT_S = 0.08;

/** A pair of synced videos with a transport. */
export interface VideoSync {
  /** Largest |lead - follower| seen at the last check, s. */
  readonly driftS: number;
  /** Stops syncing. */
  stop(): void;
}

/** Whether a video has something to play. */
function hasMedia(v: HTMLVideoElement): boolean {
  return !!v.currentSrc && v.readyState >= HTMLMediaElement.HAVE_METADATA;
}

/**
 * Syncs `follower` to `lead` and wires the transport: `play` toggles play/pause, `scrub`
 * (an <input type=range> in seconds) seeks, `time` shows the position.
 */
export function syncVideos(
  lead: HTMLVideoElement,
  follower: HTMLVideoElement,
  transport: { play: HTMLButtonElement; scrub: HTMLInputElement; time: HTMLElement },
  fps: () => number,
): VideoSync {
  follower.muted = true;
  let drift = 0;
  let scrubbing = false;
  const ac = new AbortController();
  const on = <K extends keyof HTMLVideoElementEventMap>(el: HTMLVideoElement, ev: K, fn: () => void) => el.addEventListener(ev, fn, { signal: ac.signal });

  const alignFollower = () => {
    if (!hasMedia(follower)) return;
    const t = Math.min(lead.currentTime, follower.duration || lead.currentTime);
    if (Math.abs(follower.currentTime - t) > 1e-3) follower.currentTime = t;
  };
  const fmt = (s: number) => {
    const m = Math.floor(s / 60);
    return `${m}:${(s - m * 60).toFixed(2).padStart(5, '0')}`;
  };
  const showTime = () => {
    const d = Number.isFinite(lead.duration) ? lead.duration : 0;
    transport.scrub.max = String(d);
    transport.scrub.step = String(1 / Math.max(1, fps()));
    if (!scrubbing) transport.scrub.value = String(lead.currentTime);
    transport.time.textContent = `${fmt(lead.currentTime)} / ${fmt(d)}`;
    transport.play.textContent = lead.paused ? 'Play' : 'Pause';
    transport.play.disabled = !hasMedia(lead);
    transport.scrub.disabled = !hasMedia(lead);
  };

  on(lead, 'play', () => {
    alignFollower();
    if (hasMedia(follower)) void follower.play().catch(() => undefined);
    showTime();
  });
  on(lead, 'pause', () => {
    follower.pause();
    alignFollower();
    showTime();
  });
  on(lead, 'seeking', alignFollower);
  on(lead, 'seeked', () => {
    alignFollower();
    showTime();
  });
  on(lead, 'ratechange', () => (follower.playbackRate = lead.playbackRate));
  on(lead, 'loadedmetadata', showTime);
  on(lead, 'timeupdate', showTime);
  on(lead, 'ended', () => follower.pause());
  on(follower, 'loadedmetadata', () => {
    alignFollower();
    if (!lead.paused) void follower.play().catch(() => undefined);
  });

  transport.play.addEventListener(
    'click',
    () => {
      if (lead.paused) void lead.play().catch(() => undefined);
      else lead.pause();
    },
    { signal: ac.signal },
  );
  transport.scrub.addEventListener(
    'input',
    () => {
      scrubbing = true;
      lead.currentTime = Number(transport.scrub.value);
    },
    { signal: ac.signal },
  );
  transport.scrub.addEventListener('change', () => (scrubbing = false), { signal: ac.signal });

  // Drift check once per displayed frame while playing.
  let raf = 0;
  const tick = () => {
    raf = requestAnimationFrame(tick);
    if (!hasMedia(lead) || !hasMedia(follower)) return;
    drift = Math.abs(lead.currentTime - follower.currentTime);
    if (!lead.paused && !follower.seeking && drift > MAX_DRIFT_S && lead.currentTime < (follower.duration || Infinity)) alignFollower();
    if (!lead.paused) showTime();
  };
  raf = requestAnimationFrame(tick);
  showTime();

  return {
    get driftS() {
      return drift;
    },
    stop() {
      cancelAnimationFrame(raf);
      ac.abort();
    },
  };
}
