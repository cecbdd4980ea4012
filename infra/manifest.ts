/**
 * The one manifest: every table, topic, queue, function, data source, resolver, state machine
 * and stream mapping, and how they connect. The local stack (local/stack.ts) and the CDK stack
 * are both built from it; tests check it against schema.graphql and the handlers' ENV lists.
 */
import type { Manifest } from './manifest-types.js';

export const ORDER_WORKFLOW = 'OrderWorkflow';

/** Where the openrouteservice API key lives (SecureString). Its value is never in a template. */
export const ORS_API_KEY_PARAMETER = '/serverless-pizza/openrouteservice/api-key';

/**
 * Logical prefix of the store alert queues: store `x` reads queue `store-x` locally and
 * `<stack>-store-x` on AWS (each target prefixes it as it prefixes manifest queue names).
 */
export const STORE_QUEUE_PREFIX = 'store-';

export const manifest: Manifest = {
  schemaFile: 'schema.graphql',
  // Every party signs in (user pool); the backend calls with IAM; the API key reads only the
  // public store list (schema.graphql's directives say which field takes which mode).
  auth: { defaultMode: 'AMAZON_COGNITO_USER_POOLS', additionalModes: ['AWS_IAM', 'API_KEY'] },
  tables: [
    {
      name: 'Orders',
      partitionKey: { name: 'orderId', type: 'S' },
      stream: 'NEW_AND_OLD_IMAGES',
      globalSecondaryIndexes: [
        { name: 'byStore', partitionKey: { name: 'storeId', type: 'S' }, sortKey: { name: 'createdAt', type: 'S' } },
        // myOrders: a customer's orders, newest first.
        { name: 'byCustomer', partitionKey: { name: 'customerId', type: 'S' }, sortKey: { name: 'createdAt', type: 'S' } },
        // ordersForPickup: status ACCEPTED, oldest acceptance first. Sparse: only orders a store
        // accepted have acceptedAt. (One partition per status: see README "Known limits".)
        { name: 'byStatus', partitionKey: { name: 'status', type: 'S' }, sortKey: { name: 'acceptedAt', type: 'S' } },
      ],
    },
    { name: 'Stores', partitionKey: { name: 'storeId', type: 'S' } },
    // Keys expire (functions/lib/orders.ts writes expiresAt); a retry after that is a new order.
    { name: 'IdempotencyKeys', partitionKey: { name: 'idempotencyKey', type: 'S' }, ttlAttribute: 'expiresAt' },
  ],
  topics: [{ name: 'StoreAlerts' }, { name: 'DriverAlerts' }],
  // Each store's queue is not here: it is data, created when an operator onboards the store
  // (manageStores, STORE_QUEUE_PREFIX below; README "Stores"), seeded stores included.
  queues: [{ name: 'drivers', topic: 'DriverAlerts' }],
  functions: [
    {
      name: 'placeOrder',
      entry: 'functions/place-order.ts',
      env: {
        ORDERS_TABLE: { table: 'Orders', access: 'readWrite' },
        STORES_TABLE: { table: 'Stores', access: 'read' },
        IDEMPOTENCY_TABLE: { table: 'IdempotencyKeys', access: 'readWrite' },
      },
    },
    {
      // Starts each new order's workflow from the orders stream (see `streams`).
      name: 'startWorkflow',
      entry: 'functions/start-workflow.ts',
      env: {
        ORDER_WORKFLOW_ARN: { stateMachine: ORDER_WORKFLOW, access: 'start' },
        STORE_DECISION_TIMEOUT_SECONDS: { value: '600' },
        PICKUP_TIMEOUT_SECONDS: { value: '1800' },
        DELIVERY_TIMEOUT_SECONDS: { value: '7200' },
      },
    },
    {
      name: 'decideOrder',
      entry: 'functions/decide-order.ts',
      env: { ORDERS_TABLE: { table: 'Orders', access: 'readWrite' } },
      taskResponse: ORDER_WORKFLOW,
    },
    {
      name: 'pickupOrder',
      entry: 'functions/pickup-order.ts',
      env: { ORDERS_TABLE: { table: 'Orders', access: 'readWrite' } },
      taskResponse: ORDER_WORKFLOW,
    },
    {
      name: 'completeDelivery',
      entry: 'functions/complete-delivery.ts',
      env: { ORDERS_TABLE: { table: 'Orders', access: 'readWrite' } },
      taskResponse: ORDER_WORKFLOW,
    },
    {
      name: 'cancelOrder',
      entry: 'functions/cancel-order.ts',
      env: { ORDERS_TABLE: { table: 'Orders', access: 'readWrite' } },
      taskResponse: ORDER_WORKFLOW,
    },
    {
      // The store's and the driver's waits: stores the task token, alerts the party.
      name: 'awaitParty',
      entry: 'functions/await-party.ts',
      env: {
        ORDERS_TABLE: { table: 'Orders', access: 'readWrite' },
        STORE_TOPIC_ARN: { topic: 'StoreAlerts' },
        DRIVER_TOPIC_ARN: { topic: 'DriverAlerts' },
      },
      taskResponse: ORDER_WORKFLOW,
    },
    {
      // The delivery wait: routes store → customer, writes the ETA with the task token.
      name: 'awaitDelivery',
      entry: 'functions/await-delivery.ts',
      env: {
        ORDERS_TABLE: { table: 'Orders', access: 'readWrite' },
        STORES_TABLE: { table: 'Stores', access: 'read' },
        ORS_API_KEY_PARAMETER: { ssmParameter: ORS_API_KEY_PARAMETER },
        ORS_BASE_URL: { value: 'https://api.openrouteservice.org' },
      },
      taskResponse: ORDER_WORKFLOW,
    },
    {
      // createStore, setStoreOpen, assignStaff (operators). Onboarding a store creates its alert
      // queue `<STORE_QUEUE_PREFIX><storeId>` (redriving into the stores' one dead-letter queue,
      // `<STORE_QUEUE_PREFIX>dlq`), subscribes it to StoreAlerts filtered on its storeId, and
      // creates its staff group: a new store receives alerts with no deploy.
      name: 'manageStores',
      entry: 'functions/manage-stores.ts',
      timeoutSeconds: 30,
      env: {
        STORES_TABLE: { table: 'Stores', access: 'readWrite' },
        STORE_TOPIC_ARN: { topic: 'StoreAlerts', access: 'subscribe' },
        STORE_QUEUE_PREFIX: { queuePrefix: STORE_QUEUE_PREFIX },
        USER_POOL_ID: { userPool: 'groupAdmin' },
      },
    },
    {
      // The user pool's PostConfirmation trigger: a confirmed self sign-up joins `customers`.
      name: 'postConfirmation',
      entry: 'functions/post-confirmation.ts',
      env: {},
      userPoolTrigger: 'postConfirmation',
    },
    {
      name: 'publishOrderUpdate',
      entry: 'functions/publish-order-update.ts',
      env: { GRAPHQL_URL: { graphqlUrl: true } },
      graphqlIam: true,
    },
  ],
  dataSources: [
    { name: 'None', type: 'NONE' },
    { name: 'OrdersTable', type: 'AMAZON_DYNAMODB', table: 'Orders' },
    { name: 'StoresTable', type: 'AMAZON_DYNAMODB', table: 'Stores' },
    { name: 'PlaceOrderFunction', type: 'AWS_LAMBDA', function: 'placeOrder' },
    { name: 'DecideOrderFunction', type: 'AWS_LAMBDA', function: 'decideOrder' },
    { name: 'PickupOrderFunction', type: 'AWS_LAMBDA', function: 'pickupOrder' },
    { name: 'CompleteDeliveryFunction', type: 'AWS_LAMBDA', function: 'completeDelivery' },
    { name: 'CancelOrderFunction', type: 'AWS_LAMBDA', function: 'cancelOrder' },
    { name: 'ManageStoresFunction', type: 'AWS_LAMBDA', function: 'manageStores' },
  ],
  resolvers: [
    { typeName: 'Query', fieldName: 'getOrder', dataSource: 'OrdersTable', file: 'resolvers/Query.getOrder.ts' },
    { typeName: 'Query', fieldName: 'ordersByStore', dataSource: 'OrdersTable', file: 'resolvers/Query.ordersByStore.ts' },
    { typeName: 'Query', fieldName: 'myOrders', dataSource: 'OrdersTable', file: 'resolvers/Query.myOrders.ts' },
    { typeName: 'Query', fieldName: 'ordersForPickup', dataSource: 'OrdersTable', file: 'resolvers/Query.ordersForPickup.ts' },
    { typeName: 'Query', fieldName: 'listStores', dataSource: 'StoresTable', file: 'resolvers/Query.listStores.ts' },
    { typeName: 'Mutation', fieldName: 'placeOrder', dataSource: 'PlaceOrderFunction', file: 'resolvers/Mutation.placeOrder.ts' },
    { typeName: 'Mutation', fieldName: 'decideOrder', dataSource: 'DecideOrderFunction', file: 'resolvers/Mutation.decideOrder.ts' },
    { typeName: 'Mutation', fieldName: 'pickupOrder', dataSource: 'PickupOrderFunction', file: 'resolvers/Mutation.pickupOrder.ts' },
    {
      typeName: 'Mutation',
      fieldName: 'completeDelivery',
      dataSource: 'CompleteDeliveryFunction',
      file: 'resolvers/Mutation.completeDelivery.ts',
    },
    { typeName: 'Mutation', fieldName: 'cancelOrder', dataSource: 'CancelOrderFunction', file: 'resolvers/Mutation.cancelOrder.ts' },
    { typeName: 'Mutation', fieldName: 'createStore', dataSource: 'ManageStoresFunction', file: 'resolvers/Mutation.createStore.ts' },
    { typeName: 'Mutation', fieldName: 'setStoreOpen', dataSource: 'ManageStoresFunction', file: 'resolvers/Mutation.setStoreOpen.ts' },
    { typeName: 'Mutation', fieldName: 'assignStaff', dataSource: 'ManageStoresFunction', file: 'resolvers/Mutation.assignStaff.ts' },
    { typeName: 'Mutation', fieldName: 'publishOrderUpdate', dataSource: 'None', file: 'resolvers/Mutation.publishOrderUpdate.ts' },
    // Runs at subscribe time: sets the subscription filter from who the subscriber is.
    { typeName: 'Subscription', fieldName: 'onOrderUpdated', dataSource: 'None', file: 'resolvers/Subscription.onOrderUpdated.ts' },
  ],
  stateMachines: [
    {
      name: ORDER_WORKFLOW,
      definitionFile: 'workflow/order.asl.json',
      substitutions: {
        AwaitPartyFunctionArn: { function: 'awaitParty' },
        AwaitDeliveryFunctionArn: { function: 'awaitDelivery' },
        OrdersTableName: { table: 'Orders' },
      },
    },
  ],
  streams: [
    {
      table: 'Orders',
      function: 'publishOrderUpdate',
      batchSize: 10,
      maxRetries: 3,
      // Up to 10 batches of one shard at once (AWS's maximum): a shard's updates are fanned out
      // ten invocations wide instead of one, and Lambda never puts one orderId in two in-flight
      // batches, so each order's updates still arrive in order. The publisher fans each batch
      // out across its orders too (functions/publish-order-update.ts).
      parallelizationFactor: 10,
      // No batching window: a customer watches for each status change, so an update is
      // published as soon as it is read; under load batches fill up by themselves (more
      // invocations at low traffic is the price, and cheap at 10 records a batch).
      maxBatchingWindowSeconds: 0,
    },
    {
      // The workflow start, driven by the stream (DynamoDB streams allow two consumers per shard:
      // the publisher and this one). placeOrder only writes the order, so a burst never fails on
      // StartExecution throttling (bucket 1,300 refilled at 300/s in us-east-1, us-west-2 and
      // eu-west-1; 800 at 150/s elsewhere): the stream buffers it, and starts go as fast as the
      // bucket refills.
      table: 'Orders',
      function: 'startWorkflow',
      // New orders only: every later change of an order is a MODIFY (Lambda filters before the
      // invocation, so these batches hold nothing else).
      filter: { eventName: ['INSERT'] },
      // Starts under way at once per shard ≤ batchSize × parallelizationFactor = 50: at ~50 ms a
      // start, about 1,000 starts/s per shard, above the bucket's refill, so the stream never holds
      // orders back for want of concurrency, yet a throttled burst is retried by 50 callers, not 100.
      batchSize: 10,
      parallelizationFactor: 5,
      maxBatchingWindowSeconds: 0,
      // A throttled start is reported as a batch item failure and retried. Lambda's default (-1,
      // until the record leaves the stream after 24 h) would stall the records behind a start that
      // can never succeed (a broken state machine or grant) for a day and then lose it; 1,000
      // retries keep trying for a quarter of an hour or more (each retry also waits out the SDK's
      // own throttling backoff), which drains a backlog of 250,000+ starts at the refill rate, and
      // then hand the record's location to the on-failure queue (startWorkflow-stream-failures), to
      // start it by hand (infra/README.md). Locally (retries 2 s apart) that is about half an hour.
      maxRetries: 1000,
    },
  ],
  ssmParameters: [{ name: ORS_API_KEY_PARAMETER, description: 'openrouteservice API key (SecureString)' }],
  // Abuse limits for both targets. The deepest client operation (ordersByStore → items → Order
  // fields) is far below 10 levels; every request of the clients runs one resolver.
  api: {
    queryDepthLimit: 10,
    resolverCountLimit: 5,
    maxOrdersPerRequest: 5,
    rateLimitPerFiveMinutes: 3000,
    // The Apollo explorer (GraphOS Studio and its Sandbox) calls the local API from the browser;
    // the embedded Sandbox is an iframe on its own origin.
    corsOrigins: ['https://studio.apollographql.com', 'https://sandbox.embed.apollographql.com'],
  },
};
