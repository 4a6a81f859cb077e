// One function for every route of the peer: rooms in memory (serverless-offline --useInProcess
// keeps the module loaded), every frame posted through serverless-offline's @connections API
// with the AWS SDK's client, as a handler posts in AWS.
"use strict";

const {
  ApiGatewayManagementApiClient,
  PostToConnectionCommand,
} = require("@aws-sdk/client-apigatewaymanagementapi");

const roomOf = new Map(); // connectionId -> room id
const members = new Map(); // room id -> Set of connectionIds
const lastSeq = new Map(); // room id -> seq of its last message

// One client for the life of the module, as a Lambda handler keeps it between invocations.
const connections = new ApiGatewayManagementApiClient({ endpoint: process.env.CONNECTIONS_ENDPOINT });

function post(connectionId, frame) {
  return connections.send(
    new PostToConnectionCommand({ ConnectionId: connectionId, Data: JSON.stringify(frame) }),
  );
}

function leave(connectionId) {
  const roomId = roomOf.get(connectionId);
  roomOf.delete(connectionId);
  members.get(roomId)?.delete(connectionId);
}

exports.chat = async (event) => {
  const { connectionId, routeKey } = event.requestContext;
  if (routeKey === "$disconnect") {
    leave(connectionId);
  } else if (routeKey === "on-enter-room") {
    const roomId = String(JSON.parse(event.body).groupId);
    leave(connectionId);
    roomOf.set(connectionId, roomId);
    if (!members.has(roomId)) members.set(roomId, new Set());
    members.get(roomId).add(connectionId);
    await post(connectionId, { type: "room", roomId });
  } else if (routeKey === "on-message") {
    const roomId = roomOf.get(connectionId);
    const seq = (lastSeq.get(roomId) ?? 0) + 1;
    lastSeq.set(roomId, seq);
    const frame = { type: "message", roomId, seq, message: JSON.parse(event.body).message };
    await Promise.all([...(members.get(roomId) ?? [])].map((id) => post(id, frame)));
  }
  return { statusCode: 200 };
};
