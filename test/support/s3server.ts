// The S3 tests' server: npm s3rver in a child process (see src/repository/storage/testing/s3rver.ts).
export { startS3rver as startS3Server } from '../../src/repository/storage/testing/s3rver.js';
export type { S3rver as S3Server, S3rverOptions as S3ServerOptions } from '../../src/repository/storage/testing/s3rver.js';
