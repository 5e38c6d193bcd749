"""SQS consumer: records each order in the orders table and reserves its stock."""
import json
import os

import boto3
from aws_xray_sdk.core import patch, xray_recorder

# the X-Ray SDK traces every boto3 call as a subsegment of the invocation
patch(["botocore"])

TABLE = os.environ.get("ORDERS_TABLE", "orders-app-orders")
dynamodb = boto3.client("dynamodb", endpoint_url=os.environ.get("DYNAMODB_ENDPOINT"))


class PalletLimitError(Exception):
    pass


@xray_recorder.capture("## app.lambda_handler")
def lambda_handler(event, context):
    for record in event["Records"]:
        order = json.loads(record["body"])
        save_order(order)
        if order["quantity"] > 9:
            raise PalletLimitError(f"order {order['orderId']}: {order['quantity']} items do not fit one pallet")
    return {"batchItemFailures": []}


def save_order(order):
    dynamodb.put_item(
        TableName=TABLE,
        Item={
            "orderId": {"S": order["orderId"]},
            "sku": {"S": order["sku"]},
            "quantity": {"N": str(order["quantity"])},
        },
    )
    # read back consistently: the fulfilment checklist needs the stored row
    dynamodb.get_item(TableName=TABLE, Key={"orderId": {"S": order["orderId"]}}, ConsistentRead=True)
