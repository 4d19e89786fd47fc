"""All models, imported here so Alembic and the app see one complete metadata."""

from catalog.models.agencies import Agency, Budget, OfficerMembership
from catalog.models.audit import AuditEvent, AuditHead
from catalog.models.base import Base
from catalog.models.jobs import JobFailure
from catalog.models.ledger import FeeRate, LedgerEntry, PayoutBatch, PayoutLine
from catalog.models.moderation import ProductReport
from catalog.models.notifications import Notification
from catalog.models.orders import (
    Address,
    Cart,
    CartItem,
    DeliveryOption,
    Order,
    OrderGroup,
    OrderItem,
    Payment,
    ProductReview,
    SellerReview,
    StripeEvent,
)
from catalog.models.procurement import (
    CounterOffer,
    DocumentCounter,
    GovDelivery,
    GovDeliveryLine,
    Invoice,
    PaymentRecord,
    ProcurementCart,
    ProcurementCartItem,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseRequest,
    PurchaseRequestLine,
    Quotation,
    QuotationLine,
    Receipt,
    ReceiptLine,
    Rfq,
    RfqLine,
    SellerRating,
)
from catalog.models.products import (
    Category,
    InventoryLog,
    OptionValue,
    Product,
    ProductImage,
    ProductOption,
    ProductVariant,
    product_certificate,
)
from catalog.models.regions import Region
from catalog.models.search import SearchDocumentRow
from catalog.models.sellers import Seller, SellerDocument, SellerSlugRedirect, SellerViewWeek
from catalog.models.users import User

__all__ = [
    "Address", "Cart", "CartItem", "DeliveryOption", "Order", "OrderGroup", "OrderItem", "Payment",
    "ProductReview", "SellerReview", "StripeEvent",
    "CounterOffer", "DocumentCounter", "GovDelivery", "GovDeliveryLine", "Invoice", "PaymentRecord",
    "ProcurementCart", "ProcurementCartItem", "PurchaseOrder", "PurchaseOrderLine", "PurchaseRequest",
    "PurchaseRequestLine", "Quotation", "QuotationLine", "Receipt", "ReceiptLine", "Rfq", "RfqLine",
    "SellerRating",
    "Agency", "AuditEvent", "AuditHead", "Base", "Budget", "Category", "OfficerMembership", "Product",
    "FeeRate", "InventoryLog", "JobFailure", "LedgerEntry", "Notification", "PayoutBatch", "PayoutLine", "ProductReport", "OptionValue", "ProductImage", "ProductOption", "ProductVariant", "Region", "SearchDocumentRow", "Seller", "SellerDocument",
    "SellerSlugRedirect", "SellerViewWeek", "User", "product_certificate",
]
