/**
 * The studio page (served by `noggin serve` at /, opened by `noggin live` and
 * `noggin studio`): a shell with two tabs, Live (head-swap camera, studio/page/live-tab.ts)
 * and Video (recorded video jobs, studio/page/video-tab.ts). The tab is in the URL hash
 * (#live, #video); the Live tab's camera runs only while it is shown.
 */
import { el } from './dom.js';
import { mountLiveTab, type LiveTab } from './live-tab.js';
import { addStudioStyle } from './studio-style.js';
import { mountVideoTab } from './video-tab.js';

type TabName = 'live' | 'video';

function main(): void {
  addStudioStyle();
  document.title = 'noggin studio';
  const liveSection = el('section', { id: 'tab-live', role: 'tabpanel' });
  const videoSection = el('section', { id: 'tab-video', role: 'tabpanel' });
  const tabButtons: Record<TabName, HTMLElement> = {
    live: el('button', { type: 'button', role: 'tab', id: 'tab-button-live', 'aria-controls': 'tab-live' }, 'Live'),
    video: el('button', { type: 'button', role: 'tab', id: 'tab-button-video', 'aria-controls': 'tab-video' }, 'Video'),
  };
  document.body.append(
    el('header', { class: 'studio' }, el('h1', {}, 'noggin studio'), el('nav', { class: 'tabs', role: 'tablist' }, tabButtons.live, tabButtons.video)),
    el('main', {}, liveSection, videoSection),
  );
  let live: LiveTab | null = null;
  let videoMounted = false;
  const show = (tab: TabName) => {
    for (const [name, b] of Object.entries(tabButtons)) b.setAttribute('aria-selected', String(name === tab));
    liveSection.hidden = tab !== 'live';
    videoSection.hidden = tab !== 'video';
    if (tab === 'live') {
      live ??= mountLiveTab(liveSection);
      live.show();
    } else {
      live?.hide();
      if (!videoMounted) {
        videoMounted = true;
        mountVideoTab(videoSection);
      }
    }
  };
  const fromHash = (): TabName => (location.hash === '#video' ? 'video' : 'live');
  for (const [name, b] of Object.entries(tabButtons) as [TabName, HTMLElement][]) {
    b.addEventListener('click', () => {
      if (location.hash !== `#${name}`) location.hash = name;
      else show(name);
    });
  }
  window.addEventListener('hashchange', () => show(fromHash()));
  show(fromHash());
}

main();
