// CloudFront Function (cloudfront-js-2.0), viewer request. Three kinds of path:
// - a room path -- "/<room>", the room id as in lambdas/serverless_chat/contract.json -- is
//   served the single-page app's index.html;
// - "/" and a file path -- one whose last segment has a "." (/config.json, /assets/index-1a2b.js)
//   -- pass through untouched, so a missing file stays a plain 404;
// - any other path is a page that is not a room ("/not%20a%20room!", "/a/b"): it is sent to
//   "/${not_a_room_key}", which the bucket policy denies, and the distribution's custom error
//   response answers that 403 with index.html -- the page's own "not a room" view -- as a 404.
var ROOM_PATH = /^\/${room_id_pattern}\/?$/;
var FILE_PATH = /\.[^\/]*$/;

function handler(event) {
  var request = event.request;
  if (ROOM_PATH.test(request.uri)) {
    request.uri = "/index.html";
  } else if (request.uri !== "/" && !FILE_PATH.test(request.uri)) {
    request.uri = "/${not_a_room_key}";
  }
  return request;
}
