/**
 * The selection set of a whole Order. Subscribers receive what the publishing mutation selects
 * (AppSync's @aws_subscribe rule), so the publisher selects every field; a test checks this
 * against schema.graphql so a new field cannot be forgotten.
 */
export const ORDER_SELECTION = `
  orderId
  storeId
  paymentId
  pies { size cheese toppings }
  deliveryAddress { coordinates { latitude longitude } streetAddress city postalCode province }
  status
  version
  createdAt
  updatedAt
  acceptedAt
  declinedAt
  declineReason
  dispatchEstimatedAt
  driverId
  pickedUpAt
  deliveryEstimatedAt
  deliveredAt
  deliverySteps { instruction distance duration }
  estimateSource
  cancelledAt
  cancellationReason
`;

export const PUBLISH_ORDER_UPDATE = `mutation PublishOrderUpdate($order: AWSJSON!) {
  publishOrderUpdate(order: $order) {${ORDER_SELECTION}}
}`;
