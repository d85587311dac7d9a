// The payments gRPC contract, written by hand: one unary method with JSON serialisation, no
// .proto file and no code generation. @grpc/grpc-js accepts such a definition directly.
import type { ServiceDefinition } from "@grpc/grpc-js";

export interface ChargeRequest {
  orderId: string;
  userId: string;
  amountCents: number;
  currency: string;
}

export interface ChargeReply {
  paymentId: string;
  status: "captured";
}

const serialize = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));
const deserialize = (bytes: Buffer): unknown => JSON.parse(bytes.toString("utf8"));

export const PAYMENT_SERVICE_DEFINITION = {
  charge: {
    path: "/shop.payments.v1.PaymentService/Charge",
    originalName: "Charge",
    requestStream: false,
    responseStream: false,
    requestSerialize: serialize,
    requestDeserialize: deserialize,
    responseSerialize: serialize,
    responseDeserialize: deserialize,
  },
} as unknown as ServiceDefinition;
