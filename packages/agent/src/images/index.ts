export { ImageStore, parseManifest, type DeleteResponseItem, type ImageUsers, type ImportOptions } from './store.js';
export { ImageError, type ImageConfigDocument, type ImageRecord, type ImageRunConfig } from './types.js';
export { formatReference, parseReference, type ImageReference } from './reference.js';
export { layerWhiteouts } from './layers.js';
export { imageHistory, type HistoryEntry } from './history.js';
