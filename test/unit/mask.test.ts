import * as assert from 'node:assert/strict';
import { MASK, Masker, StreamMasker, isSecretEnvName, maskEnvSecrets } from '../../src/common/mask';

const M = MASK;

describe('mask: Masker', () => {
  it('masks known secret values, longest first', () => {
    const m = new Masker(['hunter2hunter2', 'hunter2']);
    assert.equal(m.mask('a hunter2hunter2 b hunter2 c'), `a ${M} b ${M} c`);
    m.addSecret('s3cr3t-value');
    assert.equal(m.mask('x=s3cr3t-value;'), `x=${M};`);
  });

  it('ignores secret values shorter than 4 characters', () => {
    const m = new Masker(['abc', '']);
    assert.equal(m.size, 0);
    assert.equal(m.mask('abc abcd'), 'abc abcd');
  });

  it('treats secret values literally, not as regular expressions', () => {
    const m = new Masker(['a.b*c(d)$']);
    assert.equal(m.mask('xa.b*c(d)$y axbbbcd'), `x${M}y axbbbcd`);
  });

  it('masks each line of a multi-line secret and the trimmed value', () => {
    const m = new Masker(['first-line\nsecond-line\n']);
    assert.equal(m.mask('first-line'), M);
    assert.equal(m.mask('>second-line<'), `>${M}<`);
  });

  describe('patterns', () => {
    const m = new Masker();
    const cases: [string, string, string][] = [
      ['Authorization header', 'Authorization: Bearer abc123def456', `Authorization: Bearer ${M}`],
      ['Authorization header in curl', `curl -H "Authorization: Bearer abcdefgh1234" https://x`, `curl -H "Authorization: Bearer ${M}" https://x`],
      ['Authorization basic', 'authorization: Basic dXNlcjpwYXNz', `authorization: Basic ${M}`],
      ['bare Bearer token', 'using Bearer Zm9vYmFyYmF6MTIz for the call', `using Bearer ${M} for the call`],
      [
        'JWT',
        'token is eyJhbGciOiJSUzI1NiIsImtpZCI6IiJ9.eyJpc3MiOiJrdWJlcm5ldGVzIn0.c2lnbmF0dXJlX2hlcmU end',
        `token is ${M} end`,
      ],
      ['--token=', 'kubectl --token=abc.def-123 get pods', `kubectl --token=${M} get pods`],
      ['--token value', 'kubectl --token abcdef123 get pods', `kubectl --token ${M} get pods`],
      ['--password=', 'helm repo add x https://h --username me --password=pa55word', `helm repo add x https://h --username me --password=${M}`],
      ['--docker-password', 'kubectl create secret docker-registry r --docker-password="p a s s"', `kubectl create secret docker-registry r --docker-password="${M}"`],
      ['password=', 'DB_PASSWORD=hunter2 ./migrate', `DB_PASSWORD=${M} ./migrate`],
      ['passwd:', 'passwd: letmein', `passwd: ${M}`],
      ['secret:', 'client_secret: abcdef', `client_secret: ${M}`],
      ['token: (kubectl describe secret)', 'token:      abcdefghijkl', `token:      ${M}`],
      ['apikey=', 'apikey=12345678', `apikey=${M}`],
      ['api_key in JSON', '{"api_key": "k-123", "name": "x"}', `{"api_key": "${M}", "name": "x"}`],
      ['access_key / secret_key', 'access_key = AK1234 secret_key = SK5678', `access_key = ${M} secret_key = ${M}`],
      ['aws_secret_access_key', 'aws_secret_access_key=wJalrXUtnFEMI/K7MDENG', `aws_secret_access_key=${M}`],
      ['query string token', 'GET /cb?access_token=abc123&state=ok', `GET /cb?access_token=${M}&state=ok`],
      ['--from-literal', 'kubectl create secret generic s --from-literal=password=hunter2', `kubectl create secret generic s --from-literal=password=${M}`],
      ['YAML secret data', 'data:\n  password: cGFzc3dvcmQ=\n  username: YWRtaW4=\n', `data:\n  password: ${M}\n  username: YWRtaW4=\n`],
      ['kubeconfig client-key-data', '    client-key-data: LS0tLS1CRUdJTiBSU0E=', `    client-key-data: ${M}`],
      ['kubeconfig token', '    token: sha256~abcdefg', `    token: ${M}`],
      ['kubeconfig id-token', '        id-token: abc.def', `        id-token: ${M}`],
      ['AWS access key id', 'key AKIAIOSFODNN7EXAMPLE in use', `key ${M} in use`],
      ['AWS temporary key id', 'ASIAIOSFODNN7EXAMPLE', M],
      ['password in URL', 'git clone https://user:s3cret@github.com/org/repo', `git clone https://user:${M}@github.com/org/repo`],
      ['password in DSN', 'postgres://app:pw@db:5432/app', `postgres://app:${M}@db:5432/app`],
      [
        'AWS credentials JSON (aws sts assume-role)',
        '{"Credentials": {"AccessKeyId": "ASIAIOSFODNN7EXAMPLE", "SecretAccessKey": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "SessionToken": "IQoJb3JpZ2luX2VjEJr//////////wEaCXVz", "Expiration": "2025-01-01T00:00:00Z"}}',
        `{"Credentials": {"AccessKeyId": "${M}", "SecretAccessKey": "${M}", "SessionToken": "${M}", "Expiration": "2025-01-01T00:00:00Z"}}`,
      ],
      ['secretKey / privateKey in camel case', 'secretKey: abcdef12 privateKey=xyz98765', `secretKey: ${M} privateKey=${M}`],
      ['mysql -p<password>', 'mysql -pS3cret', `mysql -p${M}`],
      ['mysqldump -u -p', 'mysqldump -uroot -pS3cret db > dump.sql', `mysqldump -uroot -p${M} db > dump.sql`],
      ['mysqladmin -p', 'kubectl exec -it db-0 -- mysqladmin -h 127.0.0.1 -P 3306 -pS3cret status', `kubectl exec -it db-0 -- mysqladmin -h 127.0.0.1 -P 3306 -p${M} status`],
      ['mysql -p quoted', `/usr/bin/mysql -u app -p'pa ss' -e 'select 1'`, `/usr/bin/mysql -u app -p'${M}' -e 'select 1'`],
      ['mariadb-dump -p', 'mariadb-dump -pS3cret --all-databases', `mariadb-dump -p${M} --all-databases`],
      ['Secret data tls.key', 'data:\n  tls.crt: LS0tLS1CRUdJTiBDRVJU\n  tls.key: LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVk=\n', `data:\n  tls.crt: LS0tLS1CRUdJTiBDRVJU\n  tls.key: ${M}\n`],
      ['Secret data ssh-privatekey', '  ssh-privatekey: LS0tLS1CRUdJTiBPUEVOU1NI', `  ssh-privatekey: ${M}`],
      ['Secret data .dockerconfigjson', '  .dockerconfigjson: eyJhdXRocyI6eyJyZWcuaW8iOnt9fX0=', `  .dockerconfigjson: ${M}`],
      ['Secret data .dockercfg', '  .dockercfg: eyJyZWcuaW8iOnsiYXV0aCI6IngifX0=', `  .dockercfg: ${M}`],
      ['Secret data ca.key', '  ca.crt: LS0tLS1CRUdJTiBDRVJU\n  ca.key: LS0tLS1CRUdJTiBSU0E=', `  ca.crt: LS0tLS1CRUdJTiBDRVJU\n  ca.key: ${M}`],
      ['Secret data in JSON', '{"data": {".dockerconfigjson": "eyJhdXRocyI6e319", "tls.key": "LS0tLS1C"}}', `{"data": {".dockerconfigjson": "${M}", "tls.key": "${M}"}}`],
    ];
    for (const [name, input, expected] of cases) {
      it(name, () => assert.equal(m.mask(input), expected));
    }

    const unchanged: [string, string][] = [
      ['kubectl get pods', 'kubectl get pods -A'],
      ['token bucket prose', 'The API server uses a token bucket: each token is one request.'],
      ['Bearer prose', 'Clients send a Bearer token in the Authorization header.'],
      ['secret resource names', 'secret/db-credentials created\nsecrets "x" not found'],
      ['secretName field', '  tls:\n  - secretName: web-tls\n'],
      ['describe sa', 'Mountable secrets:   default-token-x7k2p\nTokens:              <none>'],
      ['token file flag', 'kubectl --token-file=/var/run/token get pods'],
      ['password-stdin flag', 'docker login --password-stdin -u me'],
      ['certificate-authority-data', '    certificate-authority-data: LS0tLS1CRUdJTiBDRVJU'],
      ['client-certificate-data', '    client-certificate-data: LS0tLS1CRUdJTiBDRVJU'],
      ['URL without password', 'https://example.com/a@b and git@github.com:org/repo'],
      ['variable references', 'curl -H "Authorization: Bearer $TOKEN" --token=${KUBE_TOKEN} password=$DB_PASSWORD'],
      ['YAML block scalar', 'password: |\n'],
      ['plain base64 and hashes', 'sha256:4b825dc642cb6eb9a060e54bf8d69288fbee4904 ABCDEFGHIJKLMNOP1234'],
      ['public key', '-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkq\n-----END PUBLIC KEY-----\n'],
      ['certificate', '-----BEGIN CERTIFICATE-----\nMIIBIjANBgkq\n-----END CERTIFICATE-----\n'],
      ['AWS JSON without secrets', '{"AccessKeyLastUsed": {"Region": "us-east-1"}, "SecretString": null, "KeyId": "alias/x"}'],
      ['-p outside the mysql family', 'mkdir -p /tmp/dir && ssh -p 22 node-1 && docker run -p 8080:80 nginx && kubectl port-forward -p 5432'],
      ['mysql -p that prompts, -P port', 'mysql -h db -P 3306 -u root -p --protocol=tcp'],
      ['mysql -p prompt and mkdir -p on one line', 'mysql -u root -p; mkdir -p backups'],
      ['Secret certificates and names', 'data:\n  tls.crt: LS0tLS1CRUdJTiBDRVJU\n  ca.crt: LS0tLS1CRUdJTiBDRVJU\n  namespace: ZGVmYXVsdA==\n'],
      ['secret references', 'kubectl get secret x -o yaml\n  - secretName: foo\nkubectl get secret regcred -o jsonpath={.data.\\.dockerconfigjson}'],
      ['key file paths on the command line', 'openssl req -keyout tls.key -out tls.crt && kubectl create secret tls t --cert=tls.crt --key=tls.key'],
    ];
    for (const [name, input] of unchanged) {
      it(`leaves alone: ${name}`, () => assert.equal(m.mask(input), input));
    }

    it('masks a PEM private key block across lines, keeping the armour', () => {
      const key = [
        'before',
        '-----BEGIN RSA PRIVATE KEY-----',
        'MIIEpAIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy0AHB7MhgwMbRvI0MBZhpF',
        'Proc-Type: 4,ENCRYPTED',
        '',
        'hQIDAQABAoIBAHx3Y3Fz==',
        '-----END RSA PRIVATE KEY-----',
        'after',
        '',
      ].join('\n');
      const out = m.mask(key);
      assert.equal(out, `before\n-----BEGIN RSA PRIVATE KEY-----\n${M}\n-----END RSA PRIVATE KEY-----\nafter\n`);
    });

    it('masks other private key kinds, indented and with CRLF', () => {
      const key = '  tls.key: |\r\n    -----BEGIN PRIVATE KEY-----\r\n    MIIEvQIBADAN\r\n    -----END PRIVATE KEY-----\r\n';
      const out = m.mask(key);
      assert.ok(!out.includes('MIIEvQIBADAN'), out);
      assert.ok(out.includes('-----BEGIN PRIVATE KEY-----') && out.includes('-----END PRIVATE KEY-----'));
      for (const kind of ['EC', 'OPENSSH', 'ENCRYPTED', 'DSA']) {
        const o = m.mask(`-----BEGIN ${kind} PRIVATE KEY-----\nAAAAB3NzaC1yc2E\n-----END ${kind} PRIVATE KEY-----`);
        assert.equal(o, `-----BEGIN ${kind} PRIVATE KEY-----\n${M}\n-----END ${kind} PRIVATE KEY-----`);
      }
    });

    it('masks a private key escaped onto one line (JSON)', () => {
      const json = '{"key": "-----BEGIN EC PRIVATE KEY-----\\nMHcCAQEEIB\\n-----END EC PRIVATE KEY-----\\n", "x": 1}';
      assert.equal(m.mask(json), `{"key": "-----BEGIN EC PRIVATE KEY-----${M}-----END EC PRIVATE KEY-----\\n", "x": 1}`);
    });

    it('masks an unterminated private key to the end of the key material', () => {
      const out = m.mask('-----BEGIN PRIVATE KEY-----\nMIIEvQIBADAN\nBgkqhkiG9w0B');
      assert.equal(out, `-----BEGIN PRIVATE KEY-----\n${M}\n`);
    });

    it('stops masking when what follows BEGIN is not key material', () => {
      const grep = 'a.pem:-----BEGIN RSA PRIVATE KEY-----\nb.txt: nothing here, really.\n';
      assert.equal(m.mask(grep), grep);
    });
  });
});

describe('mask: StreamMasker', () => {
  function collect(masker: Masker, idleMs?: number) {
    const out: string[] = [];
    const s = new StreamMasker(masker, (t) => out.push(t), idleMs);
    return { s, out, text: () => out.join('') };
  }

  it('masks a secret split across chunks', () => {
    const { s, out, text } = collect(new Masker(['topsecretvalue']));
    s.write('the value is tops');
    assert.deepEqual(out, [], 'partial line held');
    s.write('ecretval');
    s.write('ue, ok\nnext ');
    assert.equal(text(), `the value is ${M}, ok\n`);
    s.flush();
    assert.equal(text(), `the value is ${M}, ok\nnext `);
  });

  it('masks a pattern split across chunks', () => {
    const { s, text } = collect(new Masker());
    for (const c of ['Authorization: Bea', 'rer abc', '123def456\n']) s.write(c);
    assert.equal(text(), `Authorization: Bearer ${M}\n`);
  });

  it('emits complete lines at once and keeps the partial tail', () => {
    const { s, out } = collect(new Masker());
    s.write('one\ntwo\nthr');
    assert.deepEqual(out, ['one\ntwo\n']);
    s.write('ee\n');
    assert.deepEqual(out, ['one\ntwo\n', 'three\n']);
    s.flush();
    assert.deepEqual(out, ['one\ntwo\n', 'three\n']);
  });

  it('flushes a held partial line after the idle timeout', async () => {
    const { s, out } = collect(new Masker(['secret-prompt-value']), 30);
    s.write('Password for secret-prompt-value? ');
    assert.deepEqual(out, []);
    await new Promise((r) => setTimeout(r, 120));
    assert.deepEqual(out, [`Password for ${M}? `]);
  });

  it('masks a private key arriving over many chunks', () => {
    const { s, text } = collect(new Masker());
    s.write('-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n');
    s.write('QyNTUxOQAAACB\n');
    s.write('-----END OPENSSH PRIVATE KEY-----\nok\n');
    s.flush();
    const out = text();
    assert.equal(out, `-----BEGIN OPENSSH PRIVATE KEY-----\n${M}\n-----END OPENSSH PRIVATE KEY-----\nok\n`);
  });

  it('keeps masking a private key across a flush', () => {
    const { s, text } = collect(new Masker());
    s.write('-----BEGIN PRIVATE KEY-----\nMIIEvQIB');
    s.flush();
    s.write('ADANBgkq\nhkiG9w0B\n-----END PRIVATE KEY-----\n');
    const out = text();
    assert.ok(!/MIIE|ADAN|hkiG/.test(out), out);
    assert.equal(out, `-----BEGIN PRIVATE KEY-----\n${M}\n-----END PRIVATE KEY-----\n`);
  });

  describe('a secret split by a pause longer than the idle time', () => {
    const IDLE = 15;
    const PAUSE = 60;
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

    /** Writes the parts with a pause after each; returns what was emitted during each pause and in all. */
    async function stream(masker: Masker, parts: string[]) {
      const { s, text } = collect(masker, IDLE);
      const seen: string[] = [];
      for (const p of parts) {
        s.write(p);
        await sleep(PAUSE);
        seen.push(text());
      }
      s.flush();
      return { seen, all: text() };
    }

    const cases: { name: string; parts: string[]; hidden: string[]; early: string; secrets?: string[] }[] = [
      {
        name: 'JWT cut in half',
        parts: ['token is eyJhbGciOiJSUzI1NiIsImtpZCI6IiJ9.eyJpc3Mi', 'OiJrdWJlcm5ldGVzIn0.c2lnbmF0dXJlX2hlcmU end\n'],
        hidden: ['eyJhbGciOiJSUzI1NiIsImtpZCI6IiJ9', 'OiJrdWJlcm5ldGVzIn0', 'c2lnbmF0dXJl'],
        early: 'token is ',
      },
      {
        name: 'bearer header cut after the scheme',
        parts: ['Authorization: Bearer ', 'abcdef0123456789token\n'],
        hidden: ['abcdef0123456789token'],
        early: 'Authorization: ',
      },
      {
        name: 'bearer token cut in half',
        parts: ['curl -H "Authorization: Bearer abcdef01', '23456789token" https://api\n'],
        hidden: ['abcdef01', '23456789token'],
        early: 'curl -H "Authorization: ',
      },
      {
        name: '--token flag, value in two pieces',
        parts: ['kubectl --token abc', 'def123 get pods\n'],
        hidden: ['abc', 'def123'],
        early: 'kubectl --token ',
      },
      {
        name: '--password flag, value after the pause',
        parts: ['mysqladmin --password ', 'hun', 'ter2 status\n'],
        hidden: ['hun', 'ter2'],
        early: 'mysqladmin --password ',
      },
      {
        name: 'key=value cut after the =',
        parts: ['env: password=', 'hunter2 ok\n'],
        hidden: ['hunter2'],
        early: 'env: ',
      },
      {
        name: 'quoted value with spaces cut inside the quotes',
        parts: ['kubectl create secret docker-registry r --docker-password="p4ss ', 'w0rd x"\n'],
        hidden: ['p4ss', 'w0rd'],
        early: 'kubectl create secret docker-registry r ',
      },
      {
        name: 'known secret value cut in half',
        parts: ['the value is topsec', 'retvalue, ok\n'],
        hidden: ['topsec', 'retvalue'],
        early: 'the value is ',
        secrets: ['topsecretvalue'],
      },
      {
        name: 'known secret value with spaces cut after a space',
        parts: ['passphrase was correct horse ', 'battery staple.\n'],
        hidden: ['correct', 'horse'],
        early: 'passphrase was ',
        secrets: ['correct horse battery staple'],
      },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const masker = new Masker(c.secrets);
        const { seen, all } = await stream(masker, c.parts);
        for (const h of c.hidden) assert.ok(!all.includes(h), `${JSON.stringify(h)} leaked: ${JSON.stringify(all)}`);
        assert.equal(all, masker.mask(c.parts.join('')), 'the same as masking the whole text');
        assert.equal(seen[0], c.early, 'the words before the secret came out during the pause');
      });
    }

    it('a private key body line cut by a pause stays masked', async () => {
      const { seen, all } = await stream(new Masker(), ['-----BEGIN PRIVATE KEY-----\n    MIIEvQIB', 'ADANBgkq\n    hkiG9w0B\n-----END PRIVATE KEY-----\nok\n']);
      assert.ok(!/MIIE|ADAN|hkiG/.test(all), all);
      assert.equal(all, `-----BEGIN PRIVATE KEY-----\n    ${M}\n-----END PRIVATE KEY-----\nok\n`);
      assert.ok(!seen[0]!.includes('MIIE'), seen[0]);
    });

    it('an END armour line cut by a pause ends the key as it would whole', async () => {
      const parts = ['-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA0Z3VS5JJ\n-----END RSA PRIVATE ', 'KEY-----\nok\n'];
      const { all } = await stream(new Masker(), parts);
      assert.equal(all, `-----BEGIN RSA PRIVATE KEY-----\n${M}\n-----END RSA PRIVATE KEY-----\nok\n`);
    });

    it('a one-line private key cut after BEGIN stays masked', async () => {
      const parts = ['key -----BEGIN PRIVATE KEY----- ', 'MIIEvQIB ADANBgkq -----END PRIVATE KEY----- done\n'];
      const { all } = await stream(new Masker(), parts);
      assert.ok(!/MIIE|ADAN/.test(all), all);
      assert.equal(all, new Masker().mask(parts.join('')));
    });

    it('completed words of a partial line come out after the idle time, the rest at flush', async () => {
      const { s, text } = collect(new Masker(), IDLE);
      s.write('Copying files: 10%\r20% ');
      await sleep(PAUSE);
      assert.equal(text(), 'Copying files: 10%\r20% ');
      s.write('30% done');
      await sleep(PAUSE);
      assert.equal(text(), 'Copying files: 10%\r20% 30% ');
      s.flush();
      assert.equal(text(), 'Copying files: 10%\r20% 30% done');
    });

    it('never emits raw text when what went out early no longer matches the masked line', async () => {
      const masker = new Masker();
      const { s, text } = collect(masker, IDLE);
      s.write('phrase: open sesame');
      await sleep(PAUSE);
      assert.equal(text(), 'phrase: open ');
      masker.addSecret('open sesame'); // learned only now: 'open ' is out already
      s.write(' now\nnext\n');
      assert.ok(!text().includes('sesame'), text());
      assert.equal(text(), `phrase: open ${M}\nnext\n`);
    });

    it('streams random chunkings with random pauses exactly as masking the whole text', async function () {
      this.timeout(60_000);
      const masker = new Masker(['topsecretvalue', 'correct horse battery staple']);
      const lines = [
        'plain output line with words',
        'Authorization: Bearer abcdef0123456789token',
        'token is eyJhbGciOiJSUzI1NiIsImtpZCI6IiJ9.eyJpc3MiOiJrdWJlcm5ldGVzIn0.c2lnbmF0dXJlX2hlcmU end',
        'kubectl --token abcdef123 get pods',
        'DB_PASSWORD=hunter2 ./migrate --password "p a s s" x',
        'the value is topsecretvalue and correct horse battery staple.',
        'git clone https://user:s3cret@github.com/org/repo',
        'mysqldump -uroot -pS3cret db',
        '  tls.key: LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVk=',
        '-----BEGIN RSA PRIVATE KEY-----',
        '  MIIEpAIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy0AHB7MhgwMbRvI0MBZhpF',
        '-----END RSA PRIVATE KEY-----',
        'progress 10%\r20%\r30%   \tdone',
        'Continue? [y/N] ',
      ];
      const plain = 'Rolling out 3 replicas\r\n  waiting for "web" pods…  \tready 2/3\nsecret/web-tls configured  \n\nend';
      let seed = 12345;
      const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
      for (let round = 0; round < 24; round++) {
        const whole = round % 3 === 0 ? plain : Array.from({ length: 6 }, () => lines[Math.floor(rand() * lines.length)]).join('\n') + (rand() < 0.5 ? '\n' : '');
        if (round % 3 === 0) assert.equal(masker.mask(whole), whole, 'the plain text has nothing to mask');
        const { s, text } = collect(masker, 3);
        for (let i = 0; i < whole.length; ) {
          const n = 1 + Math.floor(rand() * 12);
          s.write(whole.slice(i, i + n));
          i += n;
          if (rand() < 0.25) await sleep(8);
        }
        s.flush();
        assert.equal(text(), masker.mask(whole), `round ${round}: ${JSON.stringify(whole)}`);
      }
    });
  });

  it('does not hold an endless line forever', () => {
    const { s, out } = collect(new Masker());
    const saved = StreamMasker.maxHeld;
    StreamMasker.maxHeld = 100;
    try {
      s.write('x'.repeat(150));
      assert.equal(out.join(''), 'x'.repeat(150));
    } finally {
      StreamMasker.maxHeld = saved;
    }
  });
});

describe('mask: maskEnvSecrets', () => {
  it('returns values of secret-looking variables only', () => {
    const env = {
      GITHUB_TOKEN: 'ghp_abcdef123456',
      DB_PASSWORD: 'hunter22',
      AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI',
      AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
      SSH_KEY: 'private-ssh-key',
      GCP_CREDENTIALS: '{"type":"service_account"}',
      MYTOKEN: 'abcd1234',
      KUBECONFIG: '/home/me/.kube/config',
      TLS_KEY_FILE: '/etc/tls/key.pem',
      SSH_KEY_PATH: '/home/me/.ssh/id',
      SECRET_NAME: 'db-credentials',
      KEYCLOAK_URL: 'https://kc',
      MONKEY: 'banana',
      HOME: '/home/me',
      PATH: '/usr/bin',
      SHORT_TOKEN: 'abc',
      ENABLE_TOKEN: 'true',
      UNSET_PASSWORD: undefined,
    };
    assert.deepEqual(maskEnvSecrets(env).sort(), ['ghp_abcdef123456', 'hunter22', 'wJalrXUtnFEMI', 'private-ssh-key', '{"type":"service_account"}', 'abcd1234'].sort());
  });

  it('classifies names', () => {
    for (const n of ['TOKEN', 'api_key', 'APIKEY', 'Client_Secret', 'VAULT_TOKEN', 'REGISTRY_PASS', 'DB_CREDENTIAL']) assert.equal(isSecretEnvName(n), true, n);
    for (const n of ['KUBECONFIG', 'TLS_KEY_FILE', 'TOKEN_PATH', 'KEY_ID', 'KEYBOARD', 'PWD', 'SSH_AUTH_SOCK', 'TOKENIZERS_PARALLELISM']) assert.equal(isSecretEnvName(n), false, n);
  });

  it('feeds a Masker', () => {
    const m = new Masker(maskEnvSecrets({ API_TOKEN: 'zz-top-secret' }));
    assert.equal(m.mask('sent zz-top-secret'), `sent ${M}`);
  });
});
