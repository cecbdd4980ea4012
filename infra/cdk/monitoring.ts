/**
 * What an operator watches: one alarm per condition somebody must act on, every one notifying one
 * encrypted SNS topic, and a dashboard of the business (domain/metrics.ts, emitted by the Lambdas
 * as embedded metrics) and of the plumbing. Each alarm's description links its runbook in
 * infra/README.md ("Runbooks").
 *
 * Dead-letter queues and stream consumers are found in the stack, not passed in, so a queue or a
 * mapping added later is watched without a line here: every queue that is another queue's
 * dead-letter queue, an SNS subscription's or a function's, or the on-failure destination of an
 * event source mapping or of asynchronous invocations. Mount this construct after them. The one
 * dead-letter queue that is not the stack's, the stores' (created at onboarding), is watched by name.
 */
import { Annotations, Aws, CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as appsync from 'aws-cdk-lib/aws-appsync';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct, type IConstruct } from 'constructs';
import {
  CANCELLATION_REASON_DIMENSION,
  METRICS_NAMESPACE,
  METRICS_SERVICE,
  ORDER_COUNTS,
  ORDER_DURATIONS,
  type OrderCount,
} from '../../domain/metrics.js';
import { storeDeadLetterQueueName } from '../../functions/lib/stores.js';
import type { StackConfig } from './config.js';
import { OUTPUT } from './outputs.js';

/**
 * One alarm rule: the metric's `statistic` over `period` is compared with `threshold` (alarm at ≥),
 * and the alarm fires when `datapointsToAlarm` of the last `evaluationPeriods` periods breach.
 */
export interface AlarmRule {
  readonly statistic: string;
  readonly period: Duration;
  readonly threshold: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  /** Every metric here is emitted only while something happens: no data means nothing went wrong. */
  readonly treatMissingData: cw.TreatMissingData;
  /** The runbook's heading anchor in infra/README.md. */
  readonly runbook: string;
}

const once = (statistic: string, period: Duration, runbook: string): AlarmRule => ({
  statistic,
  period,
  threshold: 1,
  evaluationPeriods: 1,
  datapointsToAlarm: 1,
  treatMissingData: cw.TreatMissingData.NOT_BREACHING,
  runbook,
});

/** The alarm rules, by alarm kind (also the middle part of each alarm's name). */
export const ALARM_RULES = {
  /**
   * A message in a dead-letter queue is work the system gave up on: one is enough. SQS reports
   * every minute; a queue empty and untouched for six hours stops reporting (missing: not
   * breaching), one holding a message keeps reporting, so the alarm stays on until it is drained.
   */
  'dlq-not-empty': once('Maximum', Duration.minutes(1), 'alarm-dead-letter-queue-not-empty'),
  /**
   * The same rule for the stores' one dead-letter queue, which every store's alert queue redrives
   * into (created at onboarding, functions/lib/stores.ts); its runbook finds the store first.
   */
  'store-dlq-not-empty': once('Maximum', Duration.minutes(1), 'alarm-store-dead-letter-queue-not-empty'),
  /**
   * Any failed execution: an overdue delivery (`Order.DeliveryOverdue`) or a step that failed
   * after its retries. The count is reported when executions close (missing: none did), so the
   * alarm returns to OK a period later: the runbook lists the failed executions.
   */
  'workflow-failed': once('Sum', Duration.minutes(5), 'alarm-workflow-executions-failed-or-timed-out'),
  /** The workflow sets no overall TimeoutSeconds today; a timed-out execution means someone added one. */
  'workflow-timed-out': once('Sum', Duration.minutes(5), 'alarm-workflow-executions-failed-or-timed-out'),
  /**
   * A stream consumer more than a minute behind for five minutes in a row. Normally the age is
   * under a second (no batching window); a minute is a customer waiting a minute for a status
   * change, or an order whose store is not alerted yet (startWorkflow). Five minutes lets a burst
   * that Step Functions' start rate absorbs within minutes pass, and still fires long before a
   * start that keeps failing is given up (1,000 retries, a quarter of an hour or more) or a record
   * leaves the stream (24 h). Reported per invocation (missing: the stream is idle).
   */
  'stream-iterator-age': {
    statistic: 'Maximum',
    period: Duration.minutes(1),
    threshold: 60_000,
    evaluationPeriods: 5,
    datapointsToAlarm: 5,
    treatMissingData: cw.TreatMissingData.NOT_BREACHING,
    runbook: 'alarm-stream-iterator-age',
  },
  /** AppSync answered a request with a server error (missing: no requests). */
  'api-5xx': once('Sum', Duration.minutes(5), 'alarm-appsync-5xx-errors'),
  /**
   * An exception escaped a handler: domain errors travel as data (functions/lib/result.ts) and
   * stream consumers report failed records as batch item failures, so every error is a fault
   * (missing: no invocations).
   */
  'lambda-errors': once('Sum', Duration.minutes(5), 'alarm-lambda-errors'),
  /** No function reserves concurrency: a throttle means the account's concurrency is used up (missing: no invocations). */
  'lambda-throttles': once('Sum', Duration.minutes(5), 'alarm-lambda-throttles'),
} as const satisfies Record<string, AlarmRule>;
export type AlarmKind = keyof typeof ALARM_RULES;

/** Powertools Metrics' name of the `service` dimension (its value: METRICS_SERVICE). */
const SERVICE_DIMENSION = 'service';
const FIVE_MINUTES = Duration.minutes(5);

export interface MonitoringProps {
  readonly config: Pick<StackConfig, 'stackName' | 'retention' | 'alarmEmail'>;
  readonly api: appsync.IGraphqlApi;
  /** Every function, by manifest name: errors, throttles and duration of each. */
  readonly functions: ReadonlyMap<string, lambda.IFunction>;
  /** The workflows, by manifest name: failed and timed-out executions of each. */
  readonly stateMachines: ReadonlyMap<string, sfn.IStateMachine>;
  /**
   * Physical name prefixes of the store queues created at onboarding (`<stack>-store-`), outside
   * CloudFormation. Their one dead-letter queue, `<prefix>dlq` (functions/lib/stores.ts), is not in
   * the stack to be found; it is watched by name, whether or not a store has been onboarded yet.
   * @default none
   */
  readonly storeQueuePrefixes?: readonly string[];
}

export class Monitoring extends Construct {
  readonly alarmTopic: sns.Topic;
  readonly dashboard: cw.Dashboard;
  /** Every alarm, by name. */
  readonly alarms: ReadonlyMap<string, cw.Alarm>;
  /** The queues watched as dead-letter queues (found in the stack). */
  readonly deadLetterQueues: readonly sqs.Queue[];
  /** The stores' dead-letter queues, one per store queue prefix (created at onboarding, watched by name). */
  readonly storeDeadLetterQueues: readonly sqs.IQueue[];
  /** The functions that consume a stream, by manifest name (found in the stack). */
  readonly streamConsumers: ReadonlyMap<string, lambda.IFunction>;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const { config, api, functions, stateMachines, storeQueuePrefixes = [] } = props;
    const stack = Stack.of(this);
    const prefix = `${config.stackName}-`;

    // --- the alarm topic ------------------------------------------------------------------
    // A key of its own: CloudWatch cannot publish to a topic under the AWS-managed SNS key (its
    // policy cannot name CloudWatch). CloudWatch may use it, and publish, for this stack's alarms only.
    const fromOwnAlarms = {
      StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
      ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:${prefix}*` },
    };
    const cloudWatch = new iam.ServicePrincipal('cloudwatch.amazonaws.com');
    const key = new kms.Key(this, 'AlarmTopicKey', {
      description: `${config.stackName} alarm topic`,
      enableKeyRotation: true,
      removalPolicy: config.retention === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [cloudWatch],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: fromOwnAlarms,
      }),
    );
    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', { displayName: `${config.stackName} alarms`, masterKey: key, enforceSSL: true });
    // The topic policy replaces SNS's default one: CloudWatch must be allowed by name.
    this.alarmTopic.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [cloudWatch],
        actions: ['sns:Publish'],
        resources: [this.alarmTopic.topicArn],
        conditions: fromOwnAlarms,
      }),
    );
    if (config.alarmEmail === undefined) {
      Annotations.of(this).addInfo('No alarm subscriber: deploy with -c alarmEmail=<address> to receive the alarms by email.');
    } else {
      this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(config.alarmEmail));
    }
    new CfnOutput(stack, OUTPUT.alarmTopicArn, { value: this.alarmTopic.topicArn });
    new CfnOutput(stack, OUTPUT.alarmSubscriber, {
      value: config.alarmEmail ?? 'none: deploy with -c alarmEmail=<address> to receive the alarms by email',
    });

    // --- alarms ---------------------------------------------------------------------------
    const action = new SnsAction(this.alarmTopic);
    const alarms = new Map<string, cw.Alarm>();
    const alarm = (kind: AlarmKind, subject: string, metric: cw.Metric, what: string): cw.Alarm => {
      const rule: AlarmRule = ALARM_RULES[kind];
      const name = `${prefix}${kind}-${subject}`;
      const a = new cw.Alarm(this, `${kind}-${subject}`, {
        alarmName: name,
        alarmDescription: `${what} Runbook: infra/README.md#${rule.runbook}`,
        metric: metric.with({ statistic: rule.statistic, period: rule.period }),
        threshold: rule.threshold,
        comparisonOperator: cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: rule.evaluationPeriods,
        datapointsToAlarm: rule.datapointsToAlarm,
        treatMissingData: rule.treatMissingData,
      });
      // OK too: whoever was told of the trouble is told when it is over.
      a.addAlarmAction(action);
      a.addOkAction(action);
      alarms.set(name, a);
      return a;
    };

    this.deadLetterQueues = redriveTargets(stack);
    for (const queue of this.deadLetterQueues) {
      alarm(
        'dlq-not-empty',
        queue.node.id,
        queue.metricApproximateNumberOfMessagesVisible(),
        `Dead-letter queue ${queue.node.id} holds messages that were given up on.`,
      );
    }
    // Not a Metrics Insights query over every `<prefix>*-dlq` (its WHERE has `=` and `!=`, no prefix
    // match) nor a SEARCH (metric math with SEARCH cannot alarm): every store queue redrives into
    // this one queue of fixed name, so a plain metric of it watches every store, present and future.
    this.storeDeadLetterQueues = storeQueuePrefixes.map((queuePrefix) => {
      const queueName = storeDeadLetterQueueName(queuePrefix);
      // `<stack>-store-dlq` → `StoreDlq`, as the stack's own dead-letter queues are named.
      const id = pascal(queueName.startsWith(prefix) ? queueName.slice(prefix.length) : queueName);
      return sqs.Queue.fromQueueAttributes(this, id, { queueName, queueArn: stack.formatArn({ service: 'sqs', resource: queueName }) });
    });
    for (const queue of this.storeDeadLetterQueues) {
      alarm(
        'store-dlq-not-empty',
        queue.node.id,
        queue.metricApproximateNumberOfMessagesVisible(),
        `The stores' dead-letter queue ${queue.queueName} holds alerts a store system gave up on.`,
      );
    }
    for (const [name, sm] of stateMachines) {
      alarm(
        'workflow-failed',
        name,
        sm.metricFailed(),
        `Executions of ${name} failed (an overdue delivery, or a step that failed for good).`,
      );
      alarm('workflow-timed-out', name, sm.metricTimedOut(), `Executions of ${name} timed out.`);
    }
    this.streamConsumers = streamConsumersOf(stack, functions);
    for (const [name, fn] of this.streamConsumers) {
      alarm(
        'stream-iterator-age',
        name,
        fn.metric('IteratorAge'),
        `The stream consumer ${name} has been over a minute behind for five minutes.`,
      );
    }
    const apiMetric = (metricName: string) =>
      new cw.Metric({ namespace: 'AWS/AppSync', metricName, dimensionsMap: { GraphQLAPIId: api.apiId } });
    alarm('api-5xx', 'graphql', apiMetric('5XXError'), 'The GraphQL API answered with server errors.');
    for (const [name, fn] of functions) {
      alarm('lambda-errors', name, fn.metricErrors(), `Function ${name} threw.`);
      alarm('lambda-throttles', name, fn.metricThrottles(), `Function ${name} was throttled.`);
    }
    this.alarms = alarms;

    // --- dashboard ------------------------------------------------------------------------
    const business = (metricName: string, statistic: string) =>
      new cw.Metric({
        namespace: METRICS_NAMESPACE,
        metricName,
        dimensionsMap: { [SERVICE_DIMENSION]: METRICS_SERVICE },
        statistic,
        period: FIVE_MINUTES,
        label: metricName,
      });
    // OrderCancelled carries its reason as a dimension: one line per reason, whatever the reasons are.
    const cancelledSearch = `SEARCH('{${METRICS_NAMESPACE},${SERVICE_DIMENSION},${CANCELLATION_REASON_DIMENSION}} MetricName="OrderCancelled" ${SERVICE_DIMENSION}="${METRICS_SERVICE}"', 'Sum', 300)`;
    const count = (name: OrderCount) =>
      name === 'OrderCancelled'
        ? new cw.MathExpression({ expression: `SUM(${cancelledSearch})`, usingMetrics: {}, label: 'OrderCancelled', period: FIVE_MINUTES })
        : business(name, 'Sum');
    const minutes = (metricName: string, statistic: string) => {
      // Ids are unique per graph: `timeToDecision_p50`.
      const id = `${metricName.charAt(0).toLowerCase()}${metricName.slice(1)}_${statistic}`;
      return new cw.MathExpression({
        expression: `${id} / 60000`,
        usingMetrics: { [id]: business(metricName, statistic) },
        label: `${metricName} ${statistic}`,
        period: FIVE_MINUTES,
      });
    };
    // One line per entry, labelled with its name.
    const lines = <T>(entries: Iterable<[string, T]>, metric: (t: T) => cw.Metric, statistic: string, period = FIVE_MINUTES) =>
      [...entries].map(([label, t]) => metric(t).with({ label, statistic, period }));
    const row = { height: 6 };
    const dlqs = [...this.deadLetterQueues, ...this.storeDeadLetterQueues].map((q): [string, sqs.IQueue] => [q.node.id, q]);

    this.dashboard = new cw.Dashboard(this, 'Dashboard', {
      dashboardName: config.stackName,
      defaultInterval: Duration.hours(3),
      widgets: [
        [new cw.AlarmStatusWidget({ title: 'Alarms', alarms: [...alarms.values()], width: 24, height: 4 })],
        [
          new cw.TextWidget({
            markdown: `## Business\nNamespace \`${METRICS_NAMESPACE}\`, \`${SERVICE_DIMENSION}=${METRICS_SERVICE}\`: embedded metrics the functions emit per order transition (domain/metrics.ts).`,
            width: 24,
            height: 2,
          }),
        ],
        [
          new cw.GraphWidget({ title: 'Orders (per 5 minutes)', left: ORDER_COUNTS.map(count), width: 12, ...row }),
          new cw.SingleValueWidget({
            title: 'Orders in the time range',
            metrics: ORDER_COUNTS.map(count),
            setPeriodToTimeRange: true,
            width: 12,
            ...row,
          }),
        ],
        [
          new cw.GraphWidget({
            title: 'Cancellations by reason',
            left: [new cw.MathExpression({ expression: cancelledSearch, usingMetrics: {}, label: '', period: FIVE_MINUTES })],
            width: 8,
            ...row,
          }),
          new cw.GraphWidget({
            title: 'Declined (% of decisions)',
            left: [
              new cw.MathExpression({
                expression: '100 * declined / (accepted + declined)',
                usingMetrics: { accepted: business('OrderAccepted', 'Sum'), declined: business('OrderDeclined', 'Sum') },
                label: 'declined %',
                period: FIVE_MINUTES,
              }),
            ],
            leftYAxis: { min: 0, max: 100 },
            width: 8,
            ...row,
          }),
          new cw.GraphWidget({
            title: 'Time to decision and to delivery (minutes)',
            left: ORDER_DURATIONS.flatMap((name) => [minutes(name, 'p50'), minutes(name, 'p90')]),
            leftYAxis: { min: 0 },
            width: 8,
            ...row,
          }),
        ],
        [new cw.TextWidget({ markdown: '## Plumbing', width: 24, height: 1 })],
        [
          new cw.GraphWidget({
            title: 'Workflow executions',
            left: [...stateMachines].flatMap(([name, sm]) => [
              sm.metricStarted({ label: `${name} started`, period: FIVE_MINUTES }),
              sm.metricSucceeded({ label: `${name} succeeded`, period: FIVE_MINUTES }),
              sm.metricFailed({ label: `${name} failed`, period: FIVE_MINUTES }),
              sm.metricTimedOut({ label: `${name} timed out`, period: FIVE_MINUTES }),
            ]),
            width: 8,
            ...row,
          }),
          new cw.GraphWidget({
            title: 'Stream iterator age (ms, maximum)',
            left: lines(this.streamConsumers, (fn) => fn.metric('IteratorAge'), 'Maximum', Duration.minutes(1)),
            leftAnnotations: [{ value: ALARM_RULES['stream-iterator-age'].threshold, label: 'alarm' }],
            width: 8,
            ...row,
          }),
          new cw.GraphWidget({
            title: 'Dead-letter queue depths (messages)',
            left: lines(dlqs, (q) => q.metricApproximateNumberOfMessagesVisible(), 'Maximum', Duration.minutes(1)),
            width: 8,
            ...row,
          }),
        ],
        [
          new cw.GraphWidget({
            title: 'GraphQL requests and errors',
            left: [apiMetric('Latency').with({ statistic: 'SampleCount', label: 'requests', period: FIVE_MINUTES })],
            right: [
              apiMetric('4XXError').with({ statistic: 'Sum', label: '4XX', period: FIVE_MINUTES }),
              apiMetric('5XXError').with({ statistic: 'Sum', label: '5XX', period: FIVE_MINUTES }),
            ],
            width: 12,
            ...row,
          }),
          new cw.GraphWidget({
            title: 'GraphQL latency (ms)',
            left: ['p50', 'p90', 'p99'].map((statistic) =>
              apiMetric('Latency').with({ statistic, label: statistic, period: FIVE_MINUTES }),
            ),
            width: 12,
            ...row,
          }),
        ],
        [
          new cw.GraphWidget({ title: 'Lambda errors', left: lines(functions, (fn) => fn.metricErrors(), 'Sum'), width: 8, ...row }),
          new cw.GraphWidget({ title: 'Lambda throttles', left: lines(functions, (fn) => fn.metricThrottles(), 'Sum'), width: 8, ...row }),
          new cw.GraphWidget({
            title: 'Lambda duration (ms, p90)',
            left: lines(functions, (fn) => fn.metricDuration(), 'p90'),
            width: 8,
            ...row,
          }),
        ],
      ],
    });
    new CfnOutput(stack, OUTPUT.dashboardName, { value: this.dashboard.dashboardName });
  }
}

/** `store-dlq` → `StoreDlq`. */
function pascal(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');
}

/** `value[key]` of a template fragment, or undefined. */
function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? Reflect.get(value, key) : undefined;
}

/**
 * Every queue of the stack that receives what something else gave up on: a queue's dead-letter
 * queue (RedrivePolicy), an SNS subscription's, a function's, and the on-failure destinations of
 * event source mappings (`<function>-stream-failures`) and of asynchronous invocations. In the
 * order the stack declares them. A destination that is not a queue of this stack has no depth to watch.
 */
export function redriveTargets(scope: IConstruct): sqs.Queue[] {
  const all = Stack.of(scope).node.findAll();
  const queues = all.filter((c): c is sqs.Queue => c instanceof sqs.Queue);
  const byArn = new Map(queues.map((q) => [q.queueArn, q]));
  const targets = new Set<sqs.Queue>();
  const add = (arn: unknown) => {
    const queue = typeof arn === 'string' ? byArn.get(arn) : undefined;
    if (queue !== undefined) targets.add(queue);
  };
  for (const c of all) {
    if (c instanceof sqs.Queue) add(c.deadLetterQueue?.queue.queueArn);
    else if (c instanceof sns.CfnSubscription) add(field(c.redrivePolicy, 'deadLetterTargetArn'));
    else if (c instanceof lambda.CfnFunction) add(field(c.deadLetterConfig, 'targetArn'));
    else if (c instanceof lambda.CfnEventSourceMapping || c instanceof lambda.CfnEventInvokeConfig)
      add(field(field(c.destinationConfig, 'onFailure'), 'destination'));
  }
  return queues.filter((q) => targets.has(q));
}

/** The functions that read a stream (a mapping with a starting position: DynamoDB or Kinesis), by name. */
function streamConsumersOf(scope: IConstruct, functions: ReadonlyMap<string, lambda.IFunction>): Map<string, lambda.IFunction> {
  const mappings = Stack.of(scope)
    .node.findAll()
    .filter((c): c is lambda.CfnEventSourceMapping => c instanceof lambda.CfnEventSourceMapping && c.startingPosition !== undefined);
  return new Map([...functions].filter(([, fn]) => mappings.some((m) => m.functionName === fn.functionName)));
}
