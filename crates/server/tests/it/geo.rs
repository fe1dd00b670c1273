//! Data-driven tests of the geospatial family, run in-process: each case is a command line and
//! the reply Redis 7.0.15 gives (recorded from a live redis-server), rendered the way the test
//! helper shows it. Distances, hashes and coordinates must match to the last digit, and so must
//! the order of members at equal distances and every error text.

use crate::common::check;
#[test]
fn radius_searches() {
    check(&[
        ("GEOADD nyc -73.9454966 40.747533 lic_market -73.9733487 40.7648057 central_park -73.9903085 40.7362513 union_square -74.0131604 40.7126674 wtc_one -73.7858139 40.6428986 jfk -73.9375699 40.7498929 q4 -73.9564142 40.7480973 4545", "(integer) 7"),
        ("GEORADIUS nyc -73.9798091 40.7598464 3 km ASC", "[\"central_park\", \"4545\", \"union_square\"]"),
        ("GEORADIUS nyc -73.9798091 40.7598464 3 km", "[\"central_park\", \"4545\", \"union_square\"]"),
        ("GEORADIUS nyc -73.9798091 40.7598464 3 km WITHDIST ASC", "[[\"central_park\", \"0.7750\"], [\"4545\", \"2.3651\"], [\"union_square\", \"2.7697\"]]"),
        ("GEORADIUS nyc -73.9798091 40.7598464 3 km WITHDIST WITHHASH WITHCOORD ASC", "[[\"central_park\", \"0.7750\", (integer) 1791875761332224, [\"-73.97334784269332886\", \"40.76480639569881959\"]], [\"4545\", \"2.3651\", (integer) 1791875796750882, [\"-73.95641237497329712\", \"40.74809751381645384\"]], [\"union_square\", \"2.7697\", (integer) 1791875485187452, [\"-73.99031013250350952\", \"40.73625022711770782\"]]]"),
        ("GEORADIUS nyc -73.9798091 40.7598464 10 km COUNT 3", "[\"central_park\", \"4545\", \"union_square\"]"),
        ("GEORADIUS nyc -73.9798091 40.7598464 10 km COUNT 3 ANY", "[\"wtc_one\", \"union_square\", \"central_park\"]"),
        ("GEORADIUS nyc -73.9798091 40.7598464 10 km COUNT 3 ANY ASC", "[\"central_park\", \"union_square\", \"wtc_one\"]"),
        ("GEORADIUS nyc -73.9798091 40.7598464 10 km COUNT 2 DESC", "[\"wtc_one\", \"q4\"]"),
        ("GEORADIUS nyc -73.9798091 40.7598464 2 mi WITHDIST", "[[\"central_park\", \"0.4816\"], [\"4545\", \"1.4696\"], [\"lic_market\", \"1.9879\"], [\"union_square\", \"1.7210\"]]"),
        ("GEORADIUS nyc -73.9798091 40.7598464 10000 ft WITHDIST DESC", "[[\"union_square\", \"9086.8293\"], [\"4545\", \"7759.5705\"], [\"central_park\", \"2542.7046\"]]"),
        ("GEORADIUS_RO nyc -73.9798091 40.7598464 3 km WITHDIST ASC", "[[\"central_park\", \"0.7750\"], [\"4545\", \"2.3651\"], [\"union_square\", \"2.7697\"]]"),
        ("GEORADIUSBYMEMBER nyc wtc_one 7 km", "[\"wtc_one\", \"union_square\", \"central_park\", \"4545\", \"lic_market\"]"),
        ("GEORADIUSBYMEMBER nyc wtc_one 7 km WITHDIST", "[[\"wtc_one\", \"0.0000\"], [\"union_square\", \"3.2544\"], [\"central_park\", \"6.7000\"], [\"4545\", \"6.1975\"], [\"lic_market\", \"6.8969\"]]"),
        ("GEORADIUSBYMEMBER_RO nyc wtc_one 7 km WITHHASH DESC COUNT 2", "[[\"lic_market\", (integer) 1791875804419201], [\"central_park\", (integer) 1791875761332224]]"),
        ("GEORADIUS nokey 1 1 1 km", "[]"),
        ("GEORADIUSBYMEMBER nokey m 1 km", "[]"),
        ("GEORADIUS nyc 0 0 1 km", "[]"),
    ]);
}

#[test]
fn box_searches() {
    check(&[
        ("GEOADD nyc -73.9454966 40.747533 lic_market -73.9733487 40.7648057 central_park -73.9903085 40.7362513 union_square -74.0131604 40.7126674 wtc_one -73.7858139 40.6428986 jfk -73.9375699 40.7498929 q4 -73.9564142 40.7480973 4545", "(integer) 7"),
        ("GEOSEARCH nyc FROMLONLAT -73.9798091 40.7598464 BYBOX 6 6 km ASC", "[\"central_park\", \"4545\", \"union_square\", \"lic_market\"]"),
        ("GEOSEARCH nyc FROMLONLAT -73.9798091 40.7598464 BYBOX 6 6 km WITHDIST ASC", "[[\"central_park\", \"0.7750\"], [\"4545\", \"2.3651\"], [\"union_square\", \"2.7697\"], [\"lic_market\", \"3.1991\"]]"),
        ("GEOSEARCH nyc FROMMEMBER wtc_one BYBOX 14 14 km", "[\"wtc_one\", \"union_square\", \"central_park\", \"4545\", \"lic_market\", \"q4\"]"),
        ("GEOSEARCH nyc FROMMEMBER wtc_one BYRADIUS 7 km WITHCOORD COUNT 2", "[[\"wtc_one\", [\"-74.01316255331039429\", \"40.71266718145121644\"]], [\"union_square\", [\"-73.99031013250350952\", \"40.73625022711770782\"]]]"),
        ("GEOSEARCH nyc FROMLONLAT -73.9798091 40.7598464 BYBOX 20 2 km WITHDIST", "[[\"central_park\", \"0.7750\"]]"),
        ("GEOSEARCH nyc FROMLONLAT -73.9798091 40.7598464 BYBOX 2 20 km WITHDIST", "[[\"union_square\", \"2.7697\"], [\"central_park\", \"0.7750\"]]"),
        ("GEOADD Sicily 13.361389 38.115556 Palermo 15.087269 37.502669 Catania 12.758489 38.788135 edge1 17.241510 38.788135 eage2", "(integer) 4"),
        ("GEORADIUS Sicily 15 37 200 km ASC", "[\"Catania\", \"Palermo\"]"),
        ("GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 400 400 km ASC", "[\"Catania\", \"Palermo\", \"eage2\", \"edge1\"]"),
        ("GEOADD points 179.5 36 point1 -179.5 36 point2", "(integer) 2"),
        ("GEOSEARCH points FROMLONLAT 179 37 BYBOX 400 400 km ASC", "[\"point1\", \"point2\"]"),
        ("GEOSEARCH points FROMLONLAT -179 37 BYBOX 400 400 km ASC", "[\"point2\", \"point1\"]"),
        ("GEOADD small -122.407107 37.794300 1 -122.227336 37.794300 2", "(integer) 2"),
        ("GEORADIUS small -122.407107 37.794300 30 mi ASC WITHDIST", "[[\"1\", \"0.0001\"], [\"2\", \"9.8182\"]]"),
        ("GEOADD k1 45 65 n1 -135 85.05 n2", "(integer) 2"),
        ("GEORADIUSBYMEMBER k1 n1 5009431 m", "[\"n1\", \"n2\"]"),
        ("GEOADD users -47.271613776683807 -54.534504198047678 user_000000", "(integer) 1"),
        ("GEORADIUS users 0 0 50000 km WITHCOORD", "[[\"user_000000\", [\"-47.27161377668380737\", \"-54.5345041980476779\"]]]"),
    ]);
}

#[test]
fn equal_distances_keep_redis_order() {
    check(&[
        ("GEOADD same 10 10 m1 10 10 m2 10 10 m3 10 10 m4 10 10 m5 10 10 m6 10 10 m7 10 10 m8 10 10 m9 10 10 m10 10 10 m11 10 10 m12 10 10 m13 10 10 m14 10 10 m15 10 10 m16 10 10 m17 10 10 m18 10 10 m19 10 10 m20", "(integer) 20"),
        ("GEOSEARCH same FROMLONLAT 10 10 BYRADIUS 1 km ASC COUNT 5", "[\"m9\", \"m10\", \"m11\", \"m12\", \"m13\"]"),
        ("GEOSEARCH same FROMLONLAT 10 10 BYRADIUS 1 km DESC COUNT 8", "[\"m9\", \"m10\", \"m11\", \"m12\", \"m13\", \"m14\", \"m15\", \"m16\"]"),
        ("GEOSEARCH same FROMLONLAT 10 10 BYRADIUS 1 km DESC", "[\"m1\", \"m10\", \"m11\", \"m12\", \"m13\", \"m14\", \"m15\", \"m16\", \"m17\", \"m18\", \"m19\", \"m2\", \"m20\", \"m3\", \"m4\", \"m5\", \"m6\", \"m7\", \"m8\", \"m9\"]"),
    ]);
}

#[test]
fn stores() {
    check(&[
        (
            "GEOADD points 13.361389 38.115556 Palermo 15.087269 37.502669 Catania",
            "(integer) 2",
        ),
        (
            "GEORADIUS points 13.361389 38.115556 500 km STORE dst",
            "(integer) 2",
        ),
        (
            "ZRANGE dst 0 -1 WITHSCORES",
            "[\"Palermo\", \"3479099956230698\", \"Catania\", \"3479447370796909\"]",
        ),
        ("OBJECT ENCODING dst", "\"listpack\""),
        (
            "GEORADIUS points 13.361389 38.115556 500 km STOREDIST dst",
            "(integer) 2",
        ),
        (
            "ZRANGE dst 0 -1 WITHSCORES",
            "[\"Palermo\", \"5.3056374386009927e-05\", \"Catania\", \"166.27416107465282\"]",
        ),
        (
            "GEORADIUS points 13.361389 38.115556 500 km STOREDIST dst DESC COUNT 1",
            "(integer) 1",
        ),
        (
            "ZRANGE dst 0 -1 WITHSCORES",
            "[\"Catania\", \"166.27416107465282\"]",
        ),
        (
            "GEORADIUSBYMEMBER points Catania 500 km STOREDIST dst",
            "(integer) 2",
        ),
        (
            "ZRANGE dst 0 -1 WITHSCORES",
            "[\"Catania\", \"0\", \"Palermo\", \"166.27415156960032\"]",
        ),
        (
            "GEOSEARCHSTORE dst points FROMLONLAT 13.361389 38.115556 BYRADIUS 500 km",
            "(integer) 2",
        ),
        (
            "ZRANGE dst 0 -1 WITHSCORES",
            "[\"Palermo\", \"3479099956230698\", \"Catania\", \"3479447370796909\"]",
        ),
        (
            "GEOSEARCHSTORE dst points FROMLONLAT 13.361389 38.115556 BYRADIUS 500 km STOREDIST",
            "(integer) 2",
        ),
        (
            "ZRANGE dst 0 -1 WITHSCORES",
            "[\"Palermo\", \"5.3056374386009927e-05\", \"Catania\", \"166.27416107465282\"]",
        ),
        (
            "GEOSEARCHSTORE dst points FROMLONLAT 0 0 BYRADIUS 1 km",
            "(integer) 0",
        ),
        ("EXISTS dst", "(integer) 0"),
        ("SET dst x", "OK"),
        (
            "GEOSEARCHSTORE dst nokey FROMLONLAT 0 0 BYRADIUS 1 km",
            "(integer) 0",
        ),
        ("EXISTS dst", "(integer) 0"),
        ("SET dst x", "OK"),
        ("GEORADIUS nokey 0 0 1 km STORE dst", "(integer) 0"),
        ("EXISTS dst", "(integer) 0"),
        ("SET str x", "OK"),
        (
            "GEOSEARCHSTORE dst str FROMLONLAT 0 0 BYRADIUS 1 km",
            "(error) WRONGTYPE Operation against a key holding the wrong kind of value",
        ),
        (
            "GEOSEARCHSTORE str points FROMLONLAT 13.361389 38.115556 BYRADIUS 500 km",
            "(integer) 2",
        ),
        ("TYPE str", "zset"),
        (
            "GEORADIUS points 13.361389 38.115556 500 km STORE points",
            "(integer) 2",
        ),
        ("ZRANGE points 0 -1", "[\"Palermo\", \"Catania\"]"),
        (
            "GEORADIUS points 13.361389 38.115556 500 km STORE a STOREDIST b",
            "(integer) 2",
        ),
        ("EXISTS a b", "(integer) 1"),
    ]);
}

#[test]
fn errors() {
    check(&[
        ("GEOADD nyc -73.9454966 40.747533 lic_market", "(integer) 1"),
        ("SET str x", "OK"),
        ("GEORADIUS str 1 1 1 km", "(error) WRONGTYPE Operation against a key holding the wrong kind of value"),
        ("GEOSEARCH str FROMMEMBER m BYRADIUS 1 km", "(error) WRONGTYPE Operation against a key holding the wrong kind of value"),
        ("GEORADIUSBYMEMBER str m x km", "(error) WRONGTYPE Operation against a key holding the wrong kind of value"),
        ("GEOSEARCH nyc FROMLONLAT -73.9 40.7 FROMMEMBER lic_market BYBOX 6 6 km", "(error) ERR syntax error"),
        ("GEOSEARCH nyc BYBOX 3 3 km ASC DESC WITHHASH WITHDIST WITHCOORD", "(error) ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for GEOSEARCH"),
        ("GEOSEARCH nyc FROMLONLAT -73.9 40.7 BYRADIUS 3 km BYBOX 3 3 km", "(error) ERR syntax error"),
        ("GEOSEARCH nyc FROMLONLAT -73.9 40.7 ASC", "(error) ERR wrong number of arguments for 'geosearch' command"),
        ("geosearch nyc FROMLONLAT -73.9 40.7 ASC", "(error) ERR wrong number of arguments for 'geosearch' command"),
        ("GEOSEARCH nyc FROMLONLAT -73.9 40.7 BYBOX 6 6 km STOREDIST", "(error) ERR syntax error"),
        ("GEOSEARCH nyc FROMLONLAT -73.9 40.7 BYBOX 6 6 km STORE dst", "(error) ERR syntax error"),
        ("GEOSEARCHSTORE dst nyc FROMLONLAT -73.9 40.7 BYRADIUS 50 km STORE dst", "(error) ERR syntax error"),
        ("GEOSEARCHSTORE dst nyc FROMLONLAT -73.9 40.7 BYRADIUS 50 km WITHDIST", "(error) ERR GEOSEARCHSTORE is not compatible with WITHDIST, WITHHASH and WITHCOORD options"),
        ("GEORADIUS nyc -73.9 40.7 50 km STORE dst WITHHASH", "(error) ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD options"),
        ("GEORADIUS nyc -73.9 40.7 50 km STORE", "(error) ERR syntax error"),
        ("GEORADIUS nyc -73.9 40.7 50 km FROMMEMBER x", "(error) ERR syntax error"),
        ("GEORADIUS_RO nyc -73.9 40.7 50 km STORE dst", "(error) ERR syntax error"),
        ("GEORADIUSBYMEMBER_RO nyc lic_market 50 km STOREDIST dst", "(error) ERR syntax error"),
        ("GEORADIUS nyc -73.9 40.7 10 km ANY ASC", "(error) ERR the ANY argument requires COUNT argument"),
        ("GEORADIUS nyc -73.9 40.7 10 km COUNT", "(error) ERR syntax error"),
        ("GEORADIUS nyc -73.9 40.7 10 km COUNT 0", "(error) ERR COUNT must be > 0"),
        ("GEORADIUS nyc -73.9 40.7 10 km COUNT -3 ANY", "(error) ERR COUNT must be > 0"),
        ("GEORADIUS nyc -73.9 40.7 10 km COUNT x", "(error) ERR value is not an integer or out of range"),
        ("GEORADIUS nyc -73.9 40.7 -1 km", "(error) ERR radius cannot be negative"),
        ("GEORADIUS nyc -73.9 40.7 x km", "(error) ERR need numeric radius"),
        ("GEORADIUS nyc -73.9 40.7 1 yards", "(error) ERR unsupported unit provided. please use M, KM, FT, MI"),
        ("GEORADIUS nyc 200 40.7 1 km", "(error) ERR invalid longitude,latitude pair 200.000000,40.700000"),
        ("GEORADIUS nyc x 40.7 1 km", "(error) ERR value is not a valid float"),
        ("GEORADIUSBYMEMBER nyc nosuch 1 km", "(error) ERR could not decode requested zset member"),
        ("GEORADIUSBYMEMBER nokey nosuch x km", "[]"),
        ("GEOSEARCH nyc FROMMEMBER nosuch BYRADIUS 1 km", "(error) ERR could not decode requested zset member"),
        ("GEOSEARCH nyc FROMMEMBER nosuch BYRADIUS x km", "(error) ERR could not decode requested zset member"),
        ("GEOSEARCH nokey FROMMEMBER nosuch BYRADIUS 1 km", "[]"),
        ("GEOSEARCH nyc FROMLONLAT 0 0 BYBOX -1 1 km", "(error) ERR height or width cannot be negative"),
        ("GEOSEARCH nyc FROMLONLAT 0 0 BYBOX x 1 km", "(error) ERR need numeric width"),
        ("GEOSEARCH nyc FROMLONLAT 0 0 BYBOX 1 x km", "(error) ERR need numeric height"),
        ("GEOSEARCH nyc FROMLONLAT 0 0 BYBOX 1 1 parsecs", "(error) ERR unsupported unit provided. please use M, KM, FT, MI"),
        ("GEOSEARCH nyc FROMLONLAT 0 0 BYBOX 1 1", "(error) ERR syntax error"),
        ("GEOSEARCH nyc FROMLONLAT 0 0 BYRADIUS 1 km COUNT 1 ANY WITHDIST extra", "(error) ERR syntax error"),
        ("GEOSEARCH nyc FROMLONLAT 0 0", "(error) ERR wrong number of arguments for 'geosearch' command"),
        ("GEORADIUS nyc 0 0 1", "(error) ERR wrong number of arguments for 'georadius' command"),
        ("GEOSEARCHSTORE dst nyc FROMLONLAT 0 0", "(error) ERR wrong number of arguments for 'geosearchstore' command"),
    ]);
}

#[test]
fn positions_and_distances() {
    check(&[
        ("GEOADD pts 13.361389 38.115556 Palermo 15.087269 37.502669 Catania", "(integer) 2"),
        ("GEODIST pts Palermo Catania", "\"166274.1516\""),
        ("GEODIST pts Palermo Catania km", "\"166.2742\""),
        ("GEODIST pts Palermo Catania mi", "\"103.3182\""),
        ("GEODIST pts Palermo Catania ft", "\"545518.8700\""),
        ("GEODIST pts Palermo Palermo", "\"0.0000\""),
        ("ZADD weird -1 a 1e20 b 4503599627370497 c", "(integer) 3"),
        ("GEOPOS weird a b c", "[[\"180\", \"85.0511287799999991\"], [\"-179.99999731779098511\", \"-85.05112751263942528\"], [\"-179.99999731779098511\", \"85.0511287799999991\"]]"),
        ("GEOHASH weird a b c", "[\"bp05b5048p0\", \"00bh0hbj200\", \"bp05b5048p0\"]"),
        ("GEORADIUS weird 0 0 50000 km WITHHASH", "[]"),
    ]);
}
