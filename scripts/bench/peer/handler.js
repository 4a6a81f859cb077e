// One function for every route of the peer: rooms in memory (serverless-offline --useInProcess
// keeps the module loaded), every frame posted through serverless-offline's @connections API.
"use strict";

const http = require("node:http");

const roomOf = new Map(); // connectionId -> room id
const members = new Map(); // room id -> Set of connectionIds
const lastSeq = new Map(); // room id -> seq of its last message

// Kept-alive connections, at most 50 at once: what the AWS SDK's Node.js HTTP handler does.
const agent = new http.Agent({ keepAlive: true, maxSockets: 50 });

function post(connectionId, frame) {
  return new Promise((resolve, reject) => {
    const request = http.request(
      `${process.env.CONNECTIONS_URL}/${connectionId}`,
      { method: "POST", agent },
      (response) => response.resume().on("end", resolve),
    );
    request.on("error", reject);
    request.end(JSON.stringify(frame));
  });
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
