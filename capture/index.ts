/** The capture stage: a video becomes a face track. */
export { captureVideo, captureHeader, type CaptureOptions, type CaptureProgress, type CaptureSummary } from './capture-video.js';
export { landmarkVideo, planSegments, type LandmarkOptions } from './landmark-frames.js';
export { AnalysisScaler, DEFAULT_ANALYSIS_FACE_PX, faceSizePx } from './analysis-scale.js';
export { LandmarkerClient, type LandmarkerOptions } from './landmarker-client.js';
export { smoothFrames, SMOOTHING_MODES, type SmoothingMode } from './smoothing/index.js';
export { fillGaps, interpolateFace } from './gap-fill.js';
export { liveLinkCsvHeader, liveLinkCsvRow } from './live-link-csv.js';
