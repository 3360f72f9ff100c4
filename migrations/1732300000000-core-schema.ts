import { MigrationInterface, QueryRunner } from 'typeorm';

/** The core CRM schema: staff, customers and everything that hangs off them. */
export class CoreSchema1732300000000 implements MigrationInterface {
  name = 'CoreSchema1732300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);

    await q.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL CHECK (btrim(name) <> ''),
        email text NOT NULL,
        role text NOT NULL CHECK (role IN ('ADMIN','MANAGER','SALES_REP','ANALYST')),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX users_email_key ON users (lower(email))`);
    await q.query(`CREATE INDEX users_role_idx ON users (role)`);
    await q.query(`CREATE INDEX users_name_idx ON users (name, id)`);

    await q.query(`
      CREATE TABLE lifecycle_stages (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        key text NOT NULL UNIQUE CHECK (key ~ '^[A-Z][A-Z0-9_]*$'),
        name text NOT NULL,
        position int NOT NULL,
        description text NOT NULL,
        strategy text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX lifecycle_stages_position_idx ON lifecycle_stages (position, id)`);
    await q.query(`
      INSERT INTO lifecycle_stages (key, name, position, description, strategy) VALUES
      ('PROSPECT', 'Prospect', 1, 'Exploration: the customer knows us but has not bought yet.', 'Qualify the need, show relevant proof, make the first purchase easy and low-risk.'),
      ('ONBOARDING', 'Onboarding', 2, 'Welcome: first purchase made recently; the relationship is fragile.', 'High touch: thank them, help them succeed with the first purchase, ask for feedback, invite the second purchase.'),
      ('GROWING', 'Growing', 3, 'Formation: repeat buying, trust is being built.', 'Deepen the relationship: cross-sell related categories, personal follow-ups, learn their preferences.'),
      ('LOYAL', 'Loyal', 4, 'Stable: high mutual value, regular buying, trust established.', 'Protect and reward: priority service, loyalty benefits, up-sell, ask for referrals and reviews.'),
      ('DECLINING', 'Declining', 5, 'Decline: activity is falling; there is still a window to win them back.', 'Act now: find out what changed, fix open issues, make a personal win-back offer to valuable customers.'),
      ('CHURNED', 'Churned', 6, 'The relationship has ended: no purchases for a long time.', 'Win back only where the value justifies it; otherwise keep a low-cost newsletter and respect their choice.')
    `);

    await q.query(`
      CREATE TABLE customers (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind text NOT NULL CHECK (kind IN ('PERSON','COMPANY')),
        name text NOT NULL CHECK (btrim(name) <> ''),
        external_ref text,
        email text,
        phone text,
        address_line1 text,
        address_line2 text,
        address_city text,
        address_region text,
        address_postal_code text,
        address_country char(2),
        birthday date,
        gender text,
        income_band text,
        region text,
        personality text CHECK (personality IN ('AUTHORITATIVE','ANALYTICAL','AMIABLE','EXPRESSIVE')),
        interests text[] NOT NULL DEFAULT '{}',
        tags text[] NOT NULL DEFAULT '{}',
        acquisition_channel text,
        referred_by_id uuid REFERENCES customers(id),
        owner_id uuid REFERENCES users(id),
        lifecycle_stage_id uuid REFERENCES lifecycle_stages(id),
        consent_email_granted boolean NOT NULL DEFAULT false,
        consent_email_at timestamptz,
        consent_sms_granted boolean NOT NULL DEFAULT false,
        consent_sms_at timestamptz,
        consent_phone_granted boolean NOT NULL DEFAULT false,
        consent_phone_at timestamptz,
        consent_mail_granted boolean NOT NULL DEFAULT false,
        consent_mail_at timestamptz,
        notes text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz,
        version int NOT NULL DEFAULT 1,
        CHECK (referred_by_id IS NULL OR referred_by_id <> id)
      )`);
    await q.query(`CREATE UNIQUE INDEX customers_external_ref_key ON customers (external_ref)`);
    await q.query(`CREATE INDEX customers_referred_by_idx ON customers (referred_by_id)`);
    await q.query(`CREATE INDEX customers_owner_idx ON customers (owner_id)`);
    await q.query(`CREATE INDEX customers_lifecycle_stage_idx ON customers (lifecycle_stage_id)`);
    await q.query(`CREATE INDEX customers_name_idx ON customers (name, id)`);
    await q.query(`CREATE INDEX customers_created_at_idx ON customers (created_at, id)`);
    await q.query(`CREATE INDEX customers_updated_at_idx ON customers (updated_at, id)`);
    await q.query(`CREATE INDEX customers_kind_idx ON customers (kind)`);
    await q.query(`CREATE INDEX customers_region_idx ON customers (region)`);
    await q.query(`CREATE INDEX customers_country_idx ON customers (address_country)`);
    await q.query(`CREATE INDEX customers_tags_idx ON customers USING gin (tags)`);
    await q.query(`CREATE INDEX customers_deleted_at_idx ON customers (deleted_at)`);
    await q.query(`CREATE INDEX customers_name_trgm_idx ON customers USING gin (name gin_trgm_ops)`);
    await q.query(`CREATE INDEX customers_email_trgm_idx ON customers USING gin (email gin_trgm_ops)`);
    await q.query(`CREATE INDEX customers_phone_trgm_idx ON customers USING gin (phone gin_trgm_ops)`);
    await q.query(`CREATE INDEX customers_external_ref_trgm_idx ON customers USING gin (external_ref gin_trgm_ops)`);

    await q.query(`
      CREATE TABLE contacts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        customer_id uuid NOT NULL REFERENCES customers(id),
        name text NOT NULL CHECK (btrim(name) <> ''),
        title text,
        relationship text NOT NULL CHECK (relationship IN ('EMPLOYEE','FAMILY','FRIEND','ASSISTANT','OTHER')),
        email text,
        phone text,
        birthday date,
        is_primary boolean NOT NULL DEFAULT false,
        notes text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz,
        version int NOT NULL DEFAULT 1
      )`);
    await q.query(`CREATE INDEX contacts_customer_idx ON contacts (customer_id, name, id)`);
    await q.query(`CREATE INDEX contacts_name_idx ON contacts (name, id)`);
    await q.query(`CREATE INDEX contacts_created_at_idx ON contacts (created_at, id)`);
    await q.query(`CREATE INDEX contacts_name_trgm_idx ON contacts USING gin (name gin_trgm_ops)`);
    await q.query(`CREATE UNIQUE INDEX contacts_one_primary_per_customer ON contacts (customer_id) WHERE is_primary AND deleted_at IS NULL`);

    await q.query(`
      CREATE TABLE products (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        sku text NOT NULL CHECK (btrim(sku) <> ''),
        name text NOT NULL CHECK (btrim(name) <> ''),
        category text,
        unit_price numeric(19,4) NOT NULL CHECK (unit_price >= 0),
        unit_cost numeric(19,4) NOT NULL CHECK (unit_cost >= 0),
        currency char(3) NOT NULL,
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz,
        version int NOT NULL DEFAULT 1
      )`);
    await q.query(`CREATE UNIQUE INDEX products_sku_key ON products (sku)`);
    await q.query(`CREATE INDEX products_name_idx ON products (name, id)`);
    await q.query(`CREATE INDEX products_category_idx ON products (category)`);
    await q.query(`CREATE INDEX products_created_at_idx ON products (created_at, id)`);

    await q.query(`CREATE SEQUENCE order_number_seq`);
    await q.query(`
      CREATE TABLE orders (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        customer_id uuid NOT NULL REFERENCES customers(id),
        number text NOT NULL DEFAULT ('R-' || lpad(nextval('order_number_seq')::text, 7, '0')),
        external_ref text,
        placed_at timestamptz NOT NULL,
        status text NOT NULL CHECK (status IN ('PENDING','PAID','FULFILLED','CANCELLED','REFUNDED')),
        channel text NOT NULL CHECK (channel IN ('STORE','ONLINE','PHONE','PARTNER','OTHER')),
        currency char(3) NOT NULL,
        base_currency char(3) NOT NULL,
        rate_to_base numeric(18,8) NOT NULL CHECK (rate_to_base > 0),
        subtotal_amount numeric(19,4) NOT NULL,
        discount_amount numeric(19,4) NOT NULL DEFAULT 0 CHECK (discount_amount >= 0),
        total_amount numeric(19,4) NOT NULL CHECK (total_amount >= 0),
        cost_amount numeric(19,4) NOT NULL DEFAULT 0 CHECK (cost_amount >= 0),
        margin_amount numeric(19,4) GENERATED ALWAYS AS (total_amount - cost_amount) STORED,
        total_base numeric(19,4) NOT NULL,
        cost_base numeric(19,4) NOT NULL,
        margin_base numeric(19,4) GENERATED ALWAYS AS (total_base - cost_base) STORED,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz,
        version int NOT NULL DEFAULT 1,
        CHECK (total_amount = subtotal_amount - discount_amount)
      )`);
    await q.query(`CREATE UNIQUE INDEX orders_number_key ON orders (number)`);
    await q.query(`CREATE UNIQUE INDEX orders_external_ref_key ON orders (external_ref)`);
    await q.query(`CREATE INDEX orders_customer_placed_idx ON orders (customer_id, placed_at, id)`);
    await q.query(`CREATE INDEX orders_placed_at_idx ON orders (placed_at, id)`);
    await q.query(`CREATE INDEX orders_created_at_idx ON orders (created_at, id)`);
    await q.query(`CREATE INDEX orders_total_base_idx ON orders (total_base, id)`);
    await q.query(`CREATE INDEX orders_status_idx ON orders (status)`);

    await q.query(`
      CREATE TABLE order_lines (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        order_id uuid NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
        customer_id uuid NOT NULL REFERENCES customers(id),
        product_id uuid REFERENCES products(id),
        position int NOT NULL CHECK (position > 0),
        description text NOT NULL,
        quantity int NOT NULL CHECK (quantity > 0),
        currency char(3) NOT NULL,
        unit_price_amount numeric(19,4) NOT NULL CHECK (unit_price_amount >= 0),
        unit_cost_amount numeric(19,4) NOT NULL CHECK (unit_cost_amount >= 0),
        discount_amount numeric(19,4) NOT NULL DEFAULT 0 CHECK (discount_amount >= 0),
        total_amount numeric(19,4) NOT NULL CHECK (total_amount >= 0),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (order_id, position)
      )`);
    await q.query(`CREATE INDEX order_lines_customer_idx ON order_lines (customer_id)`);
    await q.query(`CREATE INDEX order_lines_product_idx ON order_lines (product_id)`);

    await q.query(`
      CREATE TABLE touchpoints (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        customer_id uuid NOT NULL REFERENCES customers(id),
        contact_id uuid REFERENCES contacts(id),
        user_id uuid REFERENCES users(id),
        order_id uuid REFERENCES orders(id),
        channel text NOT NULL CHECK (channel IN ('EMAIL','PHONE','SMS','VISIT','MEETING','CHAT','SOCIAL','DIRECT_MAIL','EVENT','WEB')),
        direction text NOT NULL CHECK (direction IN ('INBOUND','OUTBOUND')),
        purpose text NOT NULL CHECK (purpose IN ('INQUIRY','FOLLOW_UP','THANK_YOU','GREETING','CARE','PROMOTION','SURVEY','COMPLAINT','SERVICE','VISIT')),
        occurred_at timestamptz NOT NULL,
        subject text,
        notes text,
        satisfaction smallint CHECK (satisfaction BETWEEN 1 AND 5),
        nps smallint CHECK (nps BETWEEN 0 AND 10),
        complaint_status text CHECK (complaint_status IN ('OPEN','RESOLVED')),
        resolved_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz,
        version int NOT NULL DEFAULT 1,
        CHECK ((purpose = 'COMPLAINT') = (complaint_status IS NOT NULL)),
        CHECK ((complaint_status = 'RESOLVED') = (resolved_at IS NOT NULL)),
        CHECK (resolved_at IS NULL OR resolved_at >= occurred_at)
      )`);
    await q.query(`CREATE INDEX touchpoints_customer_occurred_idx ON touchpoints (customer_id, occurred_at, id)`);
    await q.query(`CREATE INDEX touchpoints_contact_idx ON touchpoints (contact_id)`);
    await q.query(`CREATE INDEX touchpoints_user_idx ON touchpoints (user_id)`);
    await q.query(`CREATE INDEX touchpoints_order_idx ON touchpoints (order_id)`);
    await q.query(`CREATE INDEX touchpoints_occurred_at_idx ON touchpoints (occurred_at, id)`);
    await q.query(`CREATE INDEX touchpoints_purpose_idx ON touchpoints (purpose)`);
    await q.query(`CREATE INDEX touchpoints_open_complaints_idx ON touchpoints (customer_id) WHERE complaint_status = 'OPEN'`);

    await q.query(`
      CREATE TABLE lifecycle_transitions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        customer_id uuid NOT NULL REFERENCES customers(id),
        from_stage_id uuid REFERENCES lifecycle_stages(id),
        to_stage_id uuid NOT NULL REFERENCES lifecycle_stages(id),
        at timestamptz NOT NULL,
        reason text,
        source text NOT NULL CHECK (source IN ('MANUAL','RULE','IMPORT')),
        actor_user_id uuid REFERENCES users(id),
        actor text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX lifecycle_transitions_customer_idx ON lifecycle_transitions (customer_id, at, id)`);
    await q.query(`CREATE INDEX lifecycle_transitions_at_idx ON lifecycle_transitions (at, id)`);
    await q.query(`CREATE INDEX lifecycle_transitions_from_idx ON lifecycle_transitions (from_stage_id)`);
    await q.query(`CREATE INDEX lifecycle_transitions_to_idx ON lifecycle_transitions (to_stage_id)`);
    await q.query(`CREATE INDEX lifecycle_transitions_actor_idx ON lifecycle_transitions (actor_user_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['lifecycle_transitions', 'touchpoints', 'order_lines', 'orders', 'products', 'contacts', 'customers', 'lifecycle_stages', 'users']) {
      await q.query(`DROP TABLE IF EXISTS ${table}`);
    }
    await q.query(`DROP SEQUENCE IF EXISTS order_number_seq`);
  }
}
