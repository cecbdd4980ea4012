/**
 * Imported by functions/lib/tracer.ts before Powertools Tracer, because the X-Ray SDK under it
 * picks its context mode when it loads. In its default (automatic) mode it installs an async
 * hook that runs on every promise of the process, whether or not anything is traced. Outside
 * Lambda (no AWS_EXECUTION_ENV: the local stack, the tests) Tracer is off, so that hook is pure
 * cost: it took about a tenth of the local stack's CPU under load (npm run bench, profile with
 * BENCH_STACK_CPU_PROF). There the SDK starts in manual mode, which installs no hook; on Lambda
 * nothing changes.
 */
if (process.env['AWS_EXECUTION_ENV'] === undefined) process.env['AWS_XRAY_MANUAL_MODE'] ??= 'true';

export {};
