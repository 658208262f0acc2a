/** The composite stage: the head layer merged onto the source video, and `noggin run`. */
export { compositeVideo, buildPlate, sampleIndices, type CompositeOptions, type CompositeProgress, type CompositeSummary } from './composite-video.js';
export { composeFrame, cropFromLayerFrame, FrameCompositor, type ComposeOptions, type LayerCrop, type PageLayer } from './compose-frame.js';
export { rgbaToYuv420, yuv420ToRgba, yuv420Layout, yuvColorOf, type YuvColor } from './yuv.js';
export { headRegion, DEFAULT_REGION, type HeadRegion, type RegionParams } from './head-region.js';
export { BackgroundPlateBuilder, pushPull } from './background-plate.js';
export { ContactSheet } from './contact-sheet.js';
export { encodePng } from './png.js';
export { openOutput, checkOutputPath, containerFor, DEFAULT_CRF, DEFAULT_PRESET, PRESETS, type EncodeSettings, type OutputFile } from './output.js';
export { runJob, contentHash, cachedTrackPath, type RunJobOptions, type RunProgress, type RunSummary, type StageStats } from './run-job.js';
