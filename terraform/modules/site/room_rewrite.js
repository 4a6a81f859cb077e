// CloudFront Function (cloudfront-js-2.0), viewer request.
// A room path -- "/<room>" with no file extension, the room id as in
// lambdas/serverless_chat/contract.json -- is served the single-page app's index.html.
// Every other path passes through untouched, so a missing asset or /config.json
// stays a real 404 instead of HTML with a 200.
var ROOM_PATH = /^\/${room_id_pattern}\/?$/;

function handler(event) {
  var request = event.request;
  if (ROOM_PATH.test(request.uri)) {
    request.uri = "/index.html";
  }
  return request;
}
