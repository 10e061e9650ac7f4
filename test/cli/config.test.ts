/**
 * Configuration (contracts §7): env + flags → validated Config; `lake config` shows it with
 * secrets redacted and the source of each value.
 */
import { describe, expect, test } from "bun:test";
import { resolve } from "node:path";
import { describeConfig, loadConfig } from "../../src/config";
import { ConfigError } from "../../src/errors";

const CREDS = { S3_ACCESS_KEY: "AKIAEXAMPLE", S3_SECRET_KEY: "s3cr3t-value" };

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

describe("loadConfig", () => {
  test("defaults: local ./data/lake (absolute), NATS on 127.0.0.1:4222, no S3, no credentials", () => {
    const cfg = loadConfig({}, {});
    expect(cfg.dataRoot).toBe(resolve("./data/lake"));
    expect(cfg.useS3).toBe(false);
    expect(cfg.s3).toBeNull();
    expect(cfg.natsUrl).toBe("nats://127.0.0.1:4222");
    expect(cfg.logLevel).toBe("info");
    expect(cfg.sources).toMatchObject({ DATA_ROOT: "default", NATS_URL: "default", USE_S3: "default" });
    expect(cfg.sources.S3_ACCESS_KEY).toBeUndefined();
  });

  test("DATA_ROOT=s3://bucket/prefix means S3 with that bucket and prefix", () => {
    const cfg = loadConfig({}, { DATA_ROOT: "s3://market-lake/prod/es/", ...CREDS });
    expect(cfg.useS3).toBe(true);
    expect(cfg.dataRoot).toBe("s3://market-lake/prod/es");
    expect(cfg.s3).toMatchObject({ bucket: "market-lake", prefix: "prod/es", region: "us-east-1", accessKeyId: "AKIAEXAMPLE" });
    expect(cfg.sources.USE_S3).toBe("derived");
  });

  test("USE_S3=true with S3_BUCKET and endpoint", () => {
    const cfg = loadConfig({}, { USE_S3: "true", S3_BUCKET: "lake-bucket", S3_ENDPOINT: "http://127.0.0.1:9000", ...CREDS });
    expect(cfg.s3).toMatchObject({ bucket: "lake-bucket", prefix: "", endpoint: "http://127.0.0.1:9000" });
    expect(cfg.dataRoot).toBe("s3://lake-bucket");
  });

  test("S3 on without credentials fails, naming the missing variables (no default credentials)", () => {
    const both = configError(() => loadConfig({}, { DATA_ROOT: "s3://market-lake/x" }));
    expect(both.message).toBe("S3 is on but S3_ACCESS_KEY (or AWS_ACCESS_KEY_ID) and S3_SECRET_KEY (or AWS_SECRET_ACCESS_KEY) are not set (there are no default credentials)");
    expect(both.exitCode).toBe(1);
    const one = configError(() => loadConfig({}, { USE_S3: "1", S3_BUCKET: "b-1", S3_ACCESS_KEY: "k" }));
    expect(one.message).toBe("S3 is on but S3_SECRET_KEY (or AWS_SECRET_ACCESS_KEY) is not set (there are no default credentials)");
  });

  test("the standard AWS_* variables are honoured, the S3_* names win, and the source names the variable used", () => {
    const aws = {
      AWS_ACCESS_KEY_ID: "AKIAAWS",
      AWS_SECRET_ACCESS_KEY: "aws-secret",
      AWS_SESSION_TOKEN: "token-1",
      AWS_REGION: "eu-west-1",
      AWS_ENDPOINT_URL_S3: "http://127.0.0.1:9000",
    };
    const cfg = loadConfig({}, { DATA_ROOT: "s3://market-lake/x", ...aws });
    expect(cfg.s3).toMatchObject({ accessKeyId: "AKIAAWS", secretAccessKey: "aws-secret", sessionToken: "token-1", region: "eu-west-1", endpoint: "http://127.0.0.1:9000" });
    expect(cfg.sources).toMatchObject({
      S3_ACCESS_KEY: "env:AWS_ACCESS_KEY_ID",
      S3_SECRET_KEY: "env:AWS_SECRET_ACCESS_KEY",
      S3_SESSION_TOKEN: "env:AWS_SESSION_TOKEN",
      S3_REGION: "env:AWS_REGION",
      S3_ENDPOINT: "env:AWS_ENDPOINT_URL_S3",
    });
    // An endpoint means an emulator or MinIO: path-style unless told otherwise.
    expect(cfg.s3!.virtualHostedStyle).toBe(false);
    const rows = describeConfig(cfg, {});
    expect(rows.find((r) => r.variable === "S3_SESSION_TOKEN")).toMatchObject({ value: "<redacted>", source: "env:AWS_SESSION_TOKEN" });
    expect(rows.find((r) => r.variable === "S3_ADDRESSING")).toMatchObject({ value: "path", source: "default" });

    const both = loadConfig({}, { DATA_ROOT: "s3://market-lake/x", ...aws, ...CREDS, S3_REGION: "us-east-2" });
    expect(both.s3).toMatchObject({ accessKeyId: "AKIAEXAMPLE", secretAccessKey: "s3cr3t-value", region: "us-east-2" });
    expect(both.sources).toMatchObject({ S3_ACCESS_KEY: "env", S3_REGION: "env" });

    // AWS itself (no endpoint): virtual-hosted; S3_ADDRESSING overrides either way.
    expect(loadConfig({}, { DATA_ROOT: "s3://market-lake", ...CREDS }).s3!.virtualHostedStyle).toBe(true);
    expect(loadConfig({}, { DATA_ROOT: "s3://market-lake", ...CREDS, S3_ADDRESSING: "path" }).s3!.virtualHostedStyle).toBe(false);
    const bad = configError(() => loadConfig({}, { DATA_ROOT: "s3://market-lake", ...CREDS, AWS_REGION: "Not A Region" }));
    expect(bad.message).toContain("AWS_REGION is invalid");
  });

  test("S3 on without a bucket says how to give one", () => {
    expect(configError(() => loadConfig({}, { USE_S3: "true", ...CREDS })).message).toBe(
      "S3 is on (USE_S3=true) but no bucket: set S3_BUCKET or DATA_ROOT=s3://bucket/prefix",
    );
  });

  test("an invalid value names the variable, the value and what was expected", () => {
    const cases: [Record<string, string>, string][] = [
      [{ NATS_URL: "localhost:4222" }, 'NATS_URL is invalid: got "localhost:4222", expected a URL such as nats://127.0.0.1:4222, or several separated by commas (a cluster)'],
      [{ USE_S3: "maybe" }, 'USE_S3 is invalid: got "maybe", expected true or false'],
      [{ S3_ENDPOINT: "ftp://x" }, 'S3_ENDPOINT is invalid: got "ftp://x", expected a URL such as http://127.0.0.1:9000'],
      [{ S3_BUCKET: "Bad_Bucket" }, 'S3_BUCKET is invalid: got "Bad_Bucket", expected a bucket name (3-63 chars: lowercase letters, digits, \'.\', \'-\')'],
      [{ LAKE_LOG_LEVEL: "loud" }, 'LAKE_LOG_LEVEL is invalid: got "loud", expected debug, info, warn or error'],
      [{ LAKE_BRONZE_BUFFER_LIMIT: "-5" }, 'LAKE_BRONZE_BUFFER_LIMIT is invalid: got "-5", expected a positive integer (rows)'],
      [{ DATA_ROOT: "s3://B/x", ...CREDS }, 'DATA_ROOT is invalid: got "s3://B/x", expected s3://bucket[/prefix]'],
    ];
    for (const [env, message] of cases) {
      const e = configError(() => loadConfig({}, env));
      expect(e.message).toBe(message);
      expect(e.exitCode).toBe(1); // the environment is wrong, not the command line
    }
  });

  test("an invalid secret is reported without echoing it", () => {
    const e = configError(() => loadConfig({}, { S3_SECRET_KEY: "   " }));
    expect(e.message).toBe("S3_SECRET_KEY is invalid: got <redacted>, expected a non-empty secret key");
  });

  test("flags override env and are named as flags when invalid (usage error, exit 2)", () => {
    const cfg = loadConfig(
      { "data-root": "/tmp/lake-flag", "nats-url": "nats://10.0.0.1:4333", "log-level": "debug" },
      { DATA_ROOT: "/tmp/lake-env", NATS_URL: "nats://10.0.0.2:4222", LAKE_LOG_LEVEL: "warn" },
    );
    expect(cfg.dataRoot).toBe("/tmp/lake-flag");
    expect(cfg.natsUrl).toBe("nats://10.0.0.1:4333");
    expect(cfg.logLevel).toBe("debug");
    expect(cfg.sources).toMatchObject({ DATA_ROOT: "flag", NATS_URL: "flag", LAKE_LOG_LEVEL: "flag" });
    const e = configError(() => loadConfig({ "nats-url": "nope" }, { NATS_URL: "nats://ok:1" }));
    expect(e.message).toBe('--nats-url is invalid: got "nope", expected a URL such as nats://127.0.0.1:4222, or several separated by commas (a cluster)');
    expect(e.exitCode).toBe(2);
  });

  test("a cluster: NATS_URL lists several servers (spaces trimmed); --replicas from 1 to 5", () => {
    const cfg = loadConfig({ replicas: "3" }, { NATS_URL: "nats://n1:4222, nats://n2:4222,nats://n3:4222" });
    expect(cfg.natsUrl).toBe("nats://n1:4222,nats://n2:4222,nats://n3:4222");
    expect(cfg.natsReplicas).toBe(3);
    expect(loadConfig({}, {}).natsReplicas).toBe(1);
    expect(configError(() => loadConfig({}, { NATS_URL: "nats://n1:4222,n2:4222" })).message).toContain("NATS_URL is invalid");
    const e = configError(() => loadConfig({ replicas: "7" }, {}));
    expect(e.message).toBe('--replicas is invalid: got "7", expected an integer from 1 to 5 (JetStream replicas)');
  });

  test("an empty value counts as unset", () => {
    const cfg = loadConfig({ "data-root": "" }, { NATS_URL: "", DATA_ROOT: "/tmp/from-env" });
    expect(cfg.dataRoot).toBe("/tmp/from-env");
    expect(cfg.natsUrl).toBe("nats://127.0.0.1:4222");
    expect(cfg.sources.NATS_URL).toBe("default");
  });
});

describe("DATA_ROOT that looks like a mistyped URL", () => {
  test.each(["s3:/bad", "s3:bad", "S3:/x/y", "https://bucket/p", "file:/tmp/x"])("%s is refused, never a local directory", (root) => {
    expect(() => loadConfig({}, { DATA_ROOT: root })).toThrow(`DATA_ROOT is invalid: got ${JSON.stringify(root)}, expected a directory path or s3://bucket[/prefix]`);
  });
  test("a directory with a colon later in its name is still a directory", () => {
    expect(loadConfig({}, { DATA_ROOT: "./lake:2026" }).dataRoot).toEndWith("/lake:2026");
  });
});

describe("describeConfig", () => {
  test("redacts secrets and reports each value's source", () => {
    const env = { DATA_ROOT: "s3://market-lake/p", S3_ENDPOINT: "http://127.0.0.1:9000", ...CREDS };
    const rows = describeConfig(loadConfig({ "nats-url": "nats://127.0.0.1:5222" }, env), env);
    const by = Object.fromEntries(rows.map((r) => [r.variable, r]));
    expect(by.S3_ACCESS_KEY).toMatchObject({ value: "<redacted>", source: "env" });
    expect(by.S3_SECRET_KEY).toMatchObject({ value: "<redacted>", source: "env" });
    expect(by.NATS_URL).toMatchObject({ value: "nats://127.0.0.1:5222", source: "flag", flag: "--nats-url" });
    expect(by.DATA_ROOT).toMatchObject({ value: "s3://market-lake/p", source: "env" });
    // computed from DATA_ROOT, not set anywhere: "derived"
    expect(by.USE_S3).toMatchObject({ value: true, source: "derived" });
    expect(by.S3_BUCKET).toMatchObject({ value: "market-lake", source: "derived" });
    expect(by.LAKE_LOG_LEVEL).toMatchObject({ value: "info", source: "default" });
    expect(JSON.stringify(rows)).not.toContain("s3cr3t-value");
    expect(JSON.stringify(rows)).not.toContain("AKIAEXAMPLE");
  });
});
