export { createAnalyzer } from './analyzer.js';
export type { Analyzer } from './analyzer.js';
export { scan } from './scan.js';
export type { ScanOptions, ScanSummary } from './scan.js';
export { resolveOptions, readThresholdsFile } from './options.js';
export type { Options, ResolvedOptions } from './options.js';
export { QorgauError } from './errors.js';
export { readInput, readJsonl, readCsv, readText, readTelegram, telegramText, formatFromPath, INPUT_FORMATS } from './ingest/readers.js';
export type { InputSpec, InputFormat, IngestRecord } from './ingest/readers.js';
export type { ReaderOptions } from './ingest/records.js';
export { normalize, normalizeSteps, toOriginalSpan } from './normalize/index.js';
export { detectLanguage } from './lang/index.js';
export { tokenize, tokenizeNormalized, stemRussian, stemKazakh, emojiName, EMOJI_NAMES } from './tokenize/index.js';
export type { TokenizeOptions } from './tokenize/index.js';
export { prepareText } from './tokenize/prepare.js';
export type { PreparedText } from './tokenize/prepare.js';
export { findContacts } from './tokenize/contacts.js';
export { loadRules, validateRuleFile } from './rules/load.js';
export { matchRules } from './rules/match.js';
export type { RuleFile, RuleSpec, RuleSet, CompiledRule } from './rules/types.js';
export { compileRules } from './rules/compile.js';
export { findHits } from './rules/match.js';
export type { RuleOutcome, RuleHit } from './rules/match.js';
export type { SignalSpec, ContextSpec, NearSpec, MatchSpec } from './rules/types.js';
export type { Classifier, Probabilities } from './model/classifier.js';
export { fuseScores, labelsFor, priorityOf } from './score/index.js';
export { createWriter, toJsonLine, toCsvLine, OUTPUT_FORMATS } from './output/index.js';
export type { OutputFormat, RecordWriter } from './output/index.js';
export { clusterResults, clusterSkeleton, createClusterer } from './cluster/index.js';
export type { ClusterAssignment, ClusterOptions, Clusterer, ClusteredResult } from './cluster/index.js';
export { pairScores } from './cluster/evaluate.js';
export type { PairScores } from './cluster/evaluate.js';
export { REPORT_LISTED, createReportBuilder, writeReport, readResults, highlightHtml, markSegments } from './report/index.js';
export type { ReportBuilder, ReportOptions, ReportSummary, MarkSegment } from './report/index.js';
export { CATEGORIES, isCategory, isErrorRecord } from './types.js';
export type {
  Category,
  CategoryScores,
  Contact,
  ErrorCode,
  ErrorRecord,
  Evidence,
  Language,
  LanguageGuess,
  MappedToken,
  NormalizedPost,
  NormalizedText,
  Output,
  Post,
  Result,
  SentenceLanguage,
  Token,
  TokenType,
} from './types.js';
export { evaluate, scoreGold, buildReport, fitThresholds, computeMetrics, averagePrecision, confusion, readGold } from './eval/index.js';
export type { EvalOptions, EvalReport, Calibration, Metrics, CategoryMetrics, Scored, GoldPost, ScoredGold } from './eval/index.js';
export { applyFusion, fitFusion, readFusion } from './score/fusion.js';
export type { FusionModel, FusionSample, LogisticFusion, NoisyOrFusion } from './score/fusion.js';
export { fitFusionOn, refuse } from './eval/index.js';
export { FeatureExtractor, DEFAULT_SCHEME } from './linear/features.js';
export type { FeatureScheme, FeatureSpan, FeatureToken } from './linear/features.js';
export { loadLinearModel, createScorer, encodeModel, decodeModel, quantize } from './linear/model.js';
export type { LinearModel, LinearScorer, LinearHeader } from './linear/model.js';
export { trainLinear, trainLinearParallel } from './linear/train.js';
export type { TrainExample, TrainOptions, TrainedLinear } from './linear/train.js';
export { trainFromCorpus } from './linear/corpus.js';
export type { TrainCorpusOptions } from './linear/corpus.js';
export type { ModelCard } from './linear/card.js';
export { readLinearFusion, writeLinearFusion, detectorKey } from './linear/fusion-file.js';
export type { LinearFusionEntry, LinearFusionFile } from './linear/fusion-file.js';
export { applyStack, fitStack, FUSION_COMBINES } from './score/fusion.js';
export type { StackFusion, StackParams, StackSample, DetectorScores, FusionCombine, ModelDetector, Detector } from './score/fusion.js';
export { compareFusions, fitStackOn, modelsIn, selectGold, hashSplit } from './eval/index.js';
export type { FusionComparison } from './eval/index.js';
export { compareDetectors, COLUMNS } from './eval/compare.js';
export type { Column, CompareOptions } from './eval/compare.js';
export { startServer, createServeApp, openReviewStore, importResults } from './serve/public.js';
export type { ServeOptions, ServeApp, RunningServer, ReviewStore, ImportSummary, CorpusRow, AgreementReport, Reviewer, Role } from './serve/index.js';
export * from './queue/index.js';
