"""Code that runs inside a worker process, next to boto3 in the runtime layer (/var/runtime).

Only the standard library, boto3 and botocore may be imported here: this package is what a Lambda
execution environment's runtime interface client is, not part of the data plane.
"""
