import { network, type Handler } from './harness.ts';

/** `isolate ID`: cuts ID from every other member, both directions. */
export const isolate: Handler = (scene, [id]) => {
  network(scene).isolate(id);
  return '';
};

/** `cut A B`: cuts the links between A and B. */
export const cut: Handler = (scene, [a, b]) => {
  network(scene).cut(a, b);
  return '';
};

/** `heal`: every link works again. */
export const heal: Handler = (scene) => {
  network(scene).heal();
  return '';
};
