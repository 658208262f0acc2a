/** Every shipped mascot head and VRM avatar, in listing order. */
import type { HeadSpec } from '../head.js';
import type { VrmSpec } from '../vrm.js';
import { fox } from './fox.js';
import { bear } from './bear.js';
import { robot } from './robot.js';
import { sunny } from './sunny.js';

export const MASCOTS: HeadSpec[] = [fox, robot, sunny, bear];

export const VRMS: VrmSpec[] = [
  { name: 'fox-vrm', displayName: 'Fennel the Fox (VRM 1.0)', head: fox, version: '1.0', skinMaterial: 'fur', shirtColor: '#2f5fa8' },
  { name: 'sunny-vrm0', displayName: 'Sunny (VRM 0.x)', head: sunny, version: '0.x', skinMaterial: 'skin', shirtColor: '#3aa56b' },
];
