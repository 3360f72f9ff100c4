/** Built-in word lists for the synthetic dataset: small, invented, and free of real people's data. */

export const FEMALE_FIRST_NAMES = [
  'Emma', 'Olivia', 'Sophia', 'Mia', 'Hannah', 'Charlotte', 'Amelia', 'Isla', 'Grace', 'Chloe', 'Lea', 'Lena',
  'Marie', 'Clara', 'Camille', 'Manon', 'Julia', 'Laura', 'Sara', 'Lucia', 'Elena', 'Sofie', 'Fenna', 'Anna',
  'Emily', 'Ava', 'Zoe', 'Nora', 'Ruby', 'Freya', 'Ines', 'Alba', 'Maya', 'Priya', 'Aisha', 'Yuki',
];
export const MALE_FIRST_NAMES = [
  'Liam', 'Noah', 'Oliver', 'James', 'Lucas', 'Leon', 'Paul', 'Finn', 'Elias', 'Louis', 'Hugo', 'Jules',
  'Daan', 'Sem', 'Mateo', 'Pablo', 'Daniel', 'David', 'Jack', 'Harry', 'George', 'Thomas', 'Max', 'Felix',
  'Ethan', 'Mason', 'Logan', 'Samuel', 'Adam', 'Omar', 'Ravi', 'Kenji', 'Arjun', 'Marco', 'Luca', 'Owen',
];
export const LAST_NAMES = [
  'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Miller', 'Davis', 'Garcia', 'Wilson', 'Taylor', 'Clarke', 'Walker',
  'Wright', 'Hughes', 'Evans', 'Müller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Wagner', 'Becker', 'Hoffmann',
  'Martin', 'Bernard', 'Dubois', 'Laurent', 'Moreau', 'Lefèvre', 'de Jong', 'Jansen', 'de Vries', 'Bakker', 'Visser',
  'García', 'Fernández', 'López', 'Martínez', 'Sánchez', 'Romero', 'Murphy', 'Kelly', 'Byrne', "O'Brien", 'Nguyen',
  'Patel', 'Khan', 'Kim', 'Rossi', 'Novak',
];

export const COMPANY_WORDS = [
  'Northwind', 'Bluebird', 'Harbor', 'Summit', 'Evergreen', 'Silverline', 'Redwood', 'Lakeside', 'Ironbridge', 'Brightside',
  'Cedar', 'Copper', 'Falcon', 'Granite', 'Juniper', 'Keystone', 'Lighthouse', 'Meridian', 'Oakridge', 'Pioneer',
  'Quarry', 'Riverstone', 'Sterling', 'Tidewater', 'Vantage', 'Westfield', 'Alder', 'Beacon', 'Crescent', 'Driftwood',
];
export const COMPANY_TRADES = [
  'Traders', 'Coffee Roasters', 'Hospitality', 'Offices', 'Studios', 'Kitchens', 'Hotels', 'Consulting', 'Logistics',
  'Bakery', 'Design', 'Outfitters', 'Catering', 'Fitness', 'Dental', 'Architects', 'Supplies', 'Events',
];
export const CONTACT_TITLES = [
  'Purchasing Manager', 'Office Manager', 'Managing Director', 'Head of Operations', 'CFO', 'Facilities Manager',
  'Executive Assistant', 'Procurement Lead', 'Owner', 'Head Chef',
];

export interface City {
  name: string;
  /** State, province or county (address_region). */
  region: string;
  /** Sales territory (customers.region). */
  territory: string;
  /** Phone area code after the country code, e.g. '30' for Berlin. */
  area: string;
  /** Postal code pattern: '#' is a digit, 'A' a capital letter. */
  postal: string;
}

export interface Country {
  code: string;
  weight: number;
  currency: string;
  /** Country calling code without '+'. */
  dial: string;
  /** Digits in a national number (area code included). */
  nationalLength: number;
  /** Leading digits of a mobile number; null where mobiles use area codes (US). */
  mobilePrefix: string | null;
  streets: string[];
  legalForms: string[];
  cities: City[];
}

export const COUNTRIES: Country[] = [
  {
    code: 'US', weight: 55, currency: 'USD', dial: '1', nationalLength: 10, mobilePrefix: null,
    streets: ['Main Street', 'Oak Avenue', 'Maple Drive', 'Cedar Lane', 'Washington Street', 'Park Avenue', 'Lake Road', 'Sunset Boulevard'],
    legalForms: ['Inc.', 'LLC', 'Co.'],
    cities: [
      { name: 'New York', region: 'NY', territory: 'NA-East', area: '212', postal: '100##' },
      { name: 'Boston', region: 'MA', territory: 'NA-East', area: '617', postal: '021##' },
      { name: 'Philadelphia', region: 'PA', territory: 'NA-East', area: '215', postal: '191##' },
      { name: 'Atlanta', region: 'GA', territory: 'NA-East', area: '404', postal: '303##' },
      { name: 'Miami', region: 'FL', territory: 'NA-East', area: '305', postal: '331##' },
      { name: 'Chicago', region: 'IL', territory: 'NA-Central', area: '312', postal: '606##' },
      { name: 'Austin', region: 'TX', territory: 'NA-Central', area: '512', postal: '787##' },
      { name: 'Denver', region: 'CO', territory: 'NA-Central', area: '303', postal: '802##' },
      { name: 'Seattle', region: 'WA', territory: 'NA-West', area: '206', postal: '981##' },
      { name: 'San Francisco', region: 'CA', territory: 'NA-West', area: '415', postal: '941##' },
      { name: 'Los Angeles', region: 'CA', territory: 'NA-West', area: '213', postal: '900##' },
      { name: 'Portland', region: 'OR', territory: 'NA-West', area: '503', postal: '972##' },
    ],
  },
  {
    code: 'GB', weight: 13, currency: 'GBP', dial: '44', nationalLength: 10, mobilePrefix: '7',
    streets: ['High Street', 'Station Road', 'Church Lane', 'Victoria Road', 'Mill Lane', 'Queens Road'],
    legalForms: ['Ltd', 'plc', 'LLP'],
    cities: [
      { name: 'London', region: 'Greater London', territory: 'EMEA-North', area: '20', postal: 'SW# #AA' },
      { name: 'Manchester', region: 'Greater Manchester', territory: 'EMEA-North', area: '161', postal: 'M# #AA' },
      { name: 'Edinburgh', region: 'Scotland', territory: 'EMEA-North', area: '131', postal: 'EH# #AA' },
      { name: 'Bristol', region: 'Bristol', territory: 'EMEA-North', area: '117', postal: 'BS# #AA' },
    ],
  },
  {
    code: 'DE', weight: 12, currency: 'EUR', dial: '49', nationalLength: 10, mobilePrefix: '15',
    streets: ['Hauptstraße', 'Bahnhofstraße', 'Gartenweg', 'Schillerstraße', 'Lindenallee', 'Goethestraße'],
    legalForms: ['GmbH', 'AG', 'KG'],
    cities: [
      { name: 'Berlin', region: 'Berlin', territory: 'EMEA-North', area: '30', postal: '10###' },
      { name: 'Hamburg', region: 'Hamburg', territory: 'EMEA-North', area: '40', postal: '20###' },
      { name: 'München', region: 'Bayern', territory: 'EMEA-North', area: '89', postal: '80###' },
      { name: 'Köln', region: 'Nordrhein-Westfalen', territory: 'EMEA-North', area: '221', postal: '50###' },
    ],
  },
  {
    code: 'FR', weight: 8, currency: 'EUR', dial: '33', nationalLength: 9, mobilePrefix: '6',
    streets: ['Rue de la Paix', 'Avenue Victor Hugo', 'Rue du Moulin', 'Boulevard Voltaire', 'Rue des Lilas'],
    legalForms: ['SARL', 'SAS', 'SA'],
    cities: [
      { name: 'Paris', region: 'Île-de-France', territory: 'EMEA-South', area: '1', postal: '750##' },
      { name: 'Lyon', region: 'Auvergne-Rhône-Alpes', territory: 'EMEA-South', area: '4', postal: '690##' },
      { name: 'Bordeaux', region: 'Nouvelle-Aquitaine', territory: 'EMEA-South', area: '5', postal: '330##' },
    ],
  },
  {
    code: 'NL', weight: 6, currency: 'EUR', dial: '31', nationalLength: 9, mobilePrefix: '6',
    streets: ['Kerkstraat', 'Dorpsstraat', 'Molenweg', 'Stationsplein', 'Prinsengracht'],
    legalForms: ['B.V.', 'N.V.'],
    cities: [
      { name: 'Amsterdam', region: 'Noord-Holland', territory: 'EMEA-North', area: '20', postal: '10## AA' },
      { name: 'Rotterdam', region: 'Zuid-Holland', territory: 'EMEA-North', area: '10', postal: '30## AA' },
      { name: 'Utrecht', region: 'Utrecht', territory: 'EMEA-North', area: '30', postal: '35## AA' },
    ],
  },
  {
    code: 'ES', weight: 6, currency: 'EUR', dial: '34', nationalLength: 9, mobilePrefix: '6',
    streets: ['Calle Mayor', 'Gran Vía', 'Calle del Sol', 'Avenida de la Constitución', 'Paseo del Prado'],
    legalForms: ['S.L.', 'S.A.'],
    cities: [
      { name: 'Madrid', region: 'Comunidad de Madrid', territory: 'EMEA-South', area: '91', postal: '280##' },
      { name: 'Barcelona', region: 'Cataluña', territory: 'EMEA-South', area: '93', postal: '080##' },
      { name: 'Valencia', region: 'Comunitat Valenciana', territory: 'EMEA-South', area: '96', postal: '460##' },
    ],
  },
];

/** Approximate US dollars per unit, for prices in the base currency and the rates of foreign orders. */
export const USD_PER_UNIT: Record<string, number> = {
  USD: 1, EUR: 1.08, GBP: 1.27, CHF: 1.12, CAD: 0.74, AUD: 0.66, SEK: 0.095, DKK: 0.145, NOK: 0.093, JPY: 0.0067,
};

export const INTERESTS = [
  'coffee', 'cooking', 'wine', 'baking', 'running', 'cycling', 'yoga', 'hiking', 'travel', 'photography',
  'gardening', 'gaming', 'music', 'reading', 'design', 'tech', 'golf', 'fashion',
];

/** Interests that make a product category more likely. */
export const INTEREST_CATEGORIES: Record<string, string[]> = {
  coffee: ['Espresso machines', 'Coffee beans', 'Grinders'],
  cooking: ['Cookware', 'Knives'],
  baking: ['Bakeware', 'Cookware'],
  wine: ['Glassware'],
  design: ['Glassware', 'Kitchen textiles'],
  tech: ['Grinders', 'Espresso machines'],
  gardening: ['Tea'],
  reading: ['Tea'],
  yoga: ['Tea'],
};

export const PRODUCT_CATALOGUE: Array<{ category: string; code: string; products: Array<[name: string, priceUsd: number]> }> = [
  { category: 'Espresso machines', code: 'ESP', products: [['Barista Pro espresso machine', 649], ['Compact espresso machine', 249], ['Dual boiler espresso machine', 1499], ['Manual lever espresso maker', 399], ['Pod coffee machine', 129], ['Bean-to-cup machine', 899]] },
  { category: 'Grinders', code: 'GRD', products: [['Conical burr grinder', 189], ['Flat burr grinder', 349], ['Hand grinder', 89], ['Single-dose grinder', 279], ['Blade grinder', 29]] },
  { category: 'Coffee beans', code: 'BEA', products: [['House espresso blend 1 kg', 24.9], ['Ethiopia Yirgacheffe 250 g', 13.5], ['Colombia Huila 250 g', 12.5], ['Decaf Swiss water 500 g', 16.9], ['Brazil Cerrado 1 kg', 21.9], ['Single-origin tasting set', 34]] },
  { category: 'Tea', code: 'TEA', products: [['Sencha loose leaf 100 g', 11.5], ['Earl Grey 100 g', 8.9], ['Chai spice blend 200 g', 12.9], ['Matcha ceremonial 30 g', 24], ['Rooibos 100 g', 7.5], ['Glass teapot', 39]] },
  { category: 'Cookware', code: 'CKW', products: [['Cast iron skillet 28 cm', 59], ['Stainless saucepan set', 189], ['Dutch oven 5 l', 119], ['Non-stick frying pan', 45], ['Carbon steel wok', 69], ['Stock pot 8 l', 79], ['Grill pan', 55]] },
  { category: 'Knives', code: 'KNF', products: [["Chef's knife 20 cm", 129], ['Santoku knife', 99], ['Paring knife', 35], ['Bread knife', 65], ['Whetstone 1000/6000', 49], ['Knife block set', 299]] },
  { category: 'Bakeware', code: 'BAK', products: [['Sourdough starter kit', 29], ['Proofing basket', 19], ['Loaf tin', 15], ['Baking stone', 49], ['Stand mixer', 449], ['Silicone baking mats', 18]] },
  { category: 'Glassware', code: 'GLS', products: [['Wine glasses, set of 6', 59], ['Double-walled espresso cups', 24], ['Carafe 1 l', 29], ['Tumblers, set of 4', 32], ['Champagne flutes, set of 4', 45]] },
  { category: 'Kitchen textiles', code: 'TXT', products: [['Linen apron', 39], ['Tea towels, set of 3', 22], ['Oven gloves', 19], ['Table runner', 35], ['Napkins, set of 6', 28]] },
  { category: 'Care & cleaning', code: 'CLN', products: [['Descaler 500 ml', 12.9], ['Cleaning tablets, 100', 14.9], ['Water filter cartridge', 17.5], ['Group head brush', 9.9], ['Milk system cleaner', 11.9], ['Maintenance kit', 39]] },
  { category: 'Accessories', code: 'ACC', products: [['Milk frothing jug', 25], ['Digital scale with timer', 49], ['Tamper 58 mm', 35], ['Knock box', 29], ['Pour-over dripper', 28], ['Gooseneck kettle', 79]] },
];

/** Categories people buy again and again, which keep repeat orders small and frequent. */
export const CONSUMABLE_CATEGORIES = ['Coffee beans', 'Tea', 'Care & cleaning'];

export const INCOME_BANDS = ['<25k', '25-50k', '50-75k', '75-100k', '100-150k', '150k+'];

export const PERSON_ACQUISITION = ['search', 'social', 'store walk-in', 'newsletter', 'advertising', 'marketplace'];
export const COMPANY_ACQUISITION = ['trade fair', 'partner', 'outbound', 'search'];

export const PERSON_TAGS = ['newsletter', 'early-adopter', 'gift-buyer', 'home-barista', 'student'];
export const COMPANY_TAGS = ['b2b', 'wholesale', 'trade-fair-2024', 'net-30', 'office'];

export const EMAIL_DOMAINS = ['example.com', 'example.net', 'example.org', 'mail.example', 'post.example'];
